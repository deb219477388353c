package dev.gantry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.cli.Gantry;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.S3;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.secrets.SecretVault;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.S3ProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A flow with a 100 MB jar beside it goes to S3 and back through processes whose heap is capped
 * well below that: {@code gantry flow register} uploads it and the bootstrap downloads, verifies
 * and runs it, each with {@value #HEAP}. Memory stays flat because both directions stream.
 */
class LargeBundleMemoryTest {
  private static final String HEAP = "-Xmx64m";
  private static final long JAR_BYTES = 100L * 1024 * 1024;
  private static final String BUCKET = "large";

  /** A GC log line's heap figures: used before, used after, (capacity). */
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @TempDir Path dir;

  @Test
  void aHundredMegabyteBundleRoundTripsThroughS3WithA64MegabyteHeap() throws Exception {
    Path bigJar = randomJar(dir.resolve("big-data.jar"));
    try (S3ProxyServer server = S3ProxyServer.start(dir.resolve("s3"));
        DatabaseGantryClient gantry = GantryClient.open(new GantryHome(dir.resolve("home")), null);
        LocalLauncher launcher =
            new LocalLauncher(
                List.of(HEAP, "-XX:+UseSerialGC", "-Xlog:gc:file=" + dir.resolve("run-gc.log")),
                false)) {
      server.createBucket(BUCKET);
      SecretVault.of(gantry.backend(), gantry.home().dir())
          .set(S3.DEFAULT_CREDENTIALS_SECRET, server.credentialsJson());

      long registerStart = System.nanoTime();
      int registered = registerInChildJvm(server, gantry.home().dir(), bigJar);
      Duration registerTook = Duration.ofNanos(System.nanoTime() - registerStart);
      assertThat(registered).as(Files.readString(dir.resolve("register.log"))).isZero();

      RegisteredFlow flow = gantry.flow("etl");
      S3Location location = S3Location.parse(flow.location());
      long stored;
      try (S3Client s3 = server.client()) {
        stored = s3.headObject(h -> h.bucket(BUCKET).key(location.key())).contentLength();
      }
      assertThat(stored).isGreaterThan(JAR_BYTES);

      Agent agent =
          new Agent(
              gantry.backend(),
              launcher,
              AgentOptions.defaults("large", Set.of(S3.DEFAULT_LABEL))
                  .withPollInterval(Duration.ofMillis(100)),
              BackendSecretSource.of(gantry.backend(), gantry.home().dir()));
      agent.start();
      FlowRun done;
      try {
        FlowRun run = gantry.createRun("etl", Map.of("rows", "10"), Set.of());
        await()
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> gantry.run(run.id()).state().isTerminal());
        done = gantry.run(run.id());
      } finally {
        agent.stop();
      }

      assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
      assertThat(gantry.backend().runs().logs(done.id(), 0, 1000))
          .anySatisfy(l -> assertThat(l.message()).contains(BundleFixtures.ETL_LOAD_10));
      int registerPeak = peakHeapMegabytes(dir.resolve("register-gc.log"));
      int runPeak = peakHeapMegabytes(dir.resolve("run-gc.log"));
      System.out.printf(
          "100 MB bundle of %d bytes: register and upload %.1f s (peak heap %d MB, %s);"
              + " run %.1f s from creation to Success, %.1f s of it fetching, verifying and"
              + " running in the bootstrap (peak heap %d MB, %s)%n",
          stored,
          registerTook.toMillis() / 1000.0,
          registerPeak,
          HEAP,
          Duration.between(done.createdAt(), done.endedAt()).toMillis() / 1000.0,
          Duration.between(done.startedAt(), done.endedAt()).toMillis() / 1000.0,
          runPeak,
          HEAP);
    }
  }

  /** {@code gantry flow register} in a JVM of its own, with the capped heap. */
  private int registerInChildJvm(S3ProxyServer server, Path home, Path bigJar)
      throws IOException, InterruptedException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            HEAP,
            "-XX:+UseSerialGC",
            "-Xlog:gc:file=" + dir.resolve("register-gc.log"),
            "-Djava.io.tmpdir=" + dir,
            "-cp",
            System.getProperty("java.class.path"),
            Gantry.class.getName(),
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--jar",
            bigJar.toString(),
            "--factory",
            BundleFixtures.ETL_FACTORY,
            "--storage",
            "s3://" + BUCKET + "/flows",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            S3.DEFAULT_CREDENTIALS_SECRET,
            "--home",
            home.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("register.log").toFile())
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(
          "registration did not end: " + Files.readString(dir.resolve("register.log")));
    }
    return process.exitValue();
  }

  /**
   * The most heap in use at any collection of the process, from its GC log; checks on the way that
   * the heap never grew past the cap.
   */
  private static int peakHeapMegabytes(Path gcLog) throws IOException {
    int peak = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_HEAP.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Integer.parseInt(m.group(1)));
        assertThat(Integer.parseInt(m.group(3)))
            .as("heap capacity in " + line)
            .isLessThanOrEqualTo(64);
      }
    }
    assertThat(peak).as("GC events in " + gcLog).isPositive();
    return peak;
  }

  /** A jar holding 100 MB of random bytes, stored uncompressed (random bytes do not compress). */
  private static Path randomJar(Path jar) throws IOException {
    byte[] buffer = new byte[1024 * 1024];
    CRC32 crc = new CRC32();
    Random random = new Random(42);
    for (long left = JAR_BYTES; left > 0; left -= buffer.length) {
      random.nextBytes(buffer);
      crc.update(buffer);
    }
    ZipEntry entry = new ZipEntry("data/blob.bin");
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(JAR_BYTES);
    entry.setCompressedSize(JAR_BYTES);
    entry.setCrc(crc.getValue());
    random = new Random(42);
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(entry);
      for (long left = JAR_BYTES; left > 0; left -= buffer.length) {
        random.nextBytes(buffer);
        zip.write(buffer);
      }
      zip.closeEntry();
    }
    return jar;
  }
}
