package dev.gantry.storage.gcs;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import dev.gantry.bootstrap.Bootstrap;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.StorageKindContractTest;
import dev.gantry.testing.BootstrapProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The storage-kind contract on GCS: register, then the bootstrap fetches, verifies, loads and runs.
 * No GCS server can run here and Google's in-process test storage ({@link InProcessGcsClients})
 * lives in one JVM's memory, so the bootstrap runs in this JVM ({@link Bootstrap#execute}) rather
 * than in a child JVM as for the other kinds; its code path is the one a container runs.
 */
class GcsStorageKindTest extends StorageKindContractTest {
  private static final String BUCKET = "kind-flows";
  private static final String SECRET = Gcs.DEFAULT_CREDENTIALS_SECRET;
  private static final String KEY = ServiceAccountKeys.keyJson("kind-tests");

  @Override
  protected void startServer() {
    vault.set(SECRET, KEY);
  }

  @Override
  protected void stopServer() {}

  @Override
  protected Storage storage(boolean defaultLabels) {
    Gcs gcs = Gcs.bucket(BUCKET).prefix(UUID.randomUUID().toString()).credentials(SECRET);
    return defaultLabels ? gcs : gcs.withoutDefaultLabels();
  }

  @Override
  protected String defaultLabel() {
    return Gcs.DEFAULT_LABEL;
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of(SECRET, KEY);
  }

  /** The in-process storage checks no credentials: "wrong" here is a value that is no key. */
  @Override
  protected Map<String, String> wrongSecrets() {
    return Map.of(SECRET, "{\"type\": \"service_account\", \"client_email\": \"x-2718\"}");
  }

  @Override
  protected void tamper(RegisteredFlow flow) {
    GcsLocation location = GcsLocation.parse(flow.location());
    InProcessGcsClients.STORAGE.create(
        BlobInfo.newBuilder(BlobId.of(location.bucket(), location.object())).build(),
        "replaced".getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void delete(RegisteredFlow flow) {
    GcsLocation location = GcsLocation.parse(flow.location());
    InProcessGcsClients.STORAGE.delete(BlobId.of(location.bucket(), location.object()));
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return GcsLocation.parse(flow.location()).objectName();
  }

  /** The bootstrap of a launcher's child JVM, run in this JVM so it sees the in-process storage. */
  @Override
  protected BootstrapProcess.Result run(RegisteredFlow flow, Map<String, String> secrets) {
    BootstrapSpec spec =
        new BootstrapSpec(
            UUID.randomUUID().toString(),
            1,
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            Map.of(),
            secrets.keySet());
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    secrets.forEach((name, value) -> env.put("GANTRY_SECRET_" + name, value));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int exit;
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      exit = Bootstrap.execute(env);
    } finally {
      System.setOut(out);
      System.setErr(err);
      Thread.currentThread().setContextClassLoader(loader);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    return new BootstrapProcess.Result(exit, lines, Duration.ofNanos(System.nanoTime() - start));
  }
}
