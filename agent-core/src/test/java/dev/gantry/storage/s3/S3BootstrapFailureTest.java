package dev.gantry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ExitCodes;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.flow.storage.S3;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.SecretVault;
import dev.gantry.testing.BootstrapProcess;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The bootstrap fetching from S3 in a child JVM, as every launcher runs it: each failure ends the
 * attempt with exit code 11 and one result line naming the object, the cause and what to do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BootstrapFailureTest {
  private static final String BUCKET = "run-flows";
  private static final String SECRET = S3.DEFAULT_CREDENTIALS_SECRET;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private S3ProxyServer server;
  private DatabaseGantryClient gantry;

  @BeforeAll
  void start() {
    server = S3ProxyServer.start(dir.resolve("s3"));
    server.createBucket(BUCKET);
    gantry = GantryClient.open(new GantryHome(dir.resolve("home")), null);
    SecretVault.of(gantry.backend(), gantry.home().dir()).set(SECRET, server.credentialsJson());
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private RegisteredFlow registerChatty() {
    return gantry.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Chatty#chatty")
            .withStorage(
                S3.bucket(BUCKET)
                    .prefix(UUID.randomUUID().toString())
                    .endpoint(server.endpoint())
                    .credentials(SECRET)));
  }

  private Map<String, String> environment(
      RegisteredFlow flow, String location, String credentials) {
    BootstrapSpec spec =
        new BootstrapSpec(
            UUID.randomUUID().toString(),
            1,
            flow.name(),
            flow.version(),
            flow.format(),
            location,
            flow.digest(),
            flow.factory(),
            Map.of(),
            Set.of(SECRET));
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    env.put("GANTRY_SECRET_" + SECRET, credentials);
    return env;
  }

  private BootstrapProcess.Result bootstrap(Map<String, String> env) {
    return BootstrapProcess.run(env, List.of("-Xmx96m", "-XX:TieredStopAtLevel=1"), dir, TIMEOUT);
  }

  @Test
  void aFlowStoredInS3IsFetchedVerifiedAndRun() {
    RegisteredFlow flow = registerChatty();

    BootstrapProcess.Result result =
        bootstrap(environment(flow, flow.location(), server.credentialsJson()));

    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(result.resultLine()).contains("\"state\":\"Success\"");
  }

  @Test
  void aMissingObjectFailsTheRunNamingItAndSayingToRegisterAgain() {
    RegisteredFlow flow = registerChatty();
    S3Location location = S3Location.parse(flow.location());
    try (S3Client s3 = server.client()) {
      s3.deleteObject(d -> d.bucket(BUCKET).key(location.key()));
    }

    BootstrapProcess.Result result =
        bootstrap(environment(flow, flow.location(), server.credentialsJson()));

    assertFailed(result, "no object " + location.objectName(), "register the flow again");
  }

  @Test
  void aReplacedObjectFailsTheDigestCheckBeforeAnythingIsLoaded() {
    RegisteredFlow flow = registerChatty();
    S3Location location = S3Location.parse(flow.location());
    try (S3Client s3 = server.client()) {
      s3.putObject(p -> p.bucket(BUCKET).key(location.key()), RequestBody.fromString("evil"));
    }

    BootstrapProcess.Result result =
        bootstrap(environment(flow, flow.location(), server.credentialsJson()));

    assertFailed(
        result, "has SHA-256", flow.digest(), location.objectName(), "register the flow again");
    assertThat(result.lines()).noneMatch(l -> l.contains("\"event\":\"task\""));
  }

  @Test
  void wrongCredentialsFailTheRunNamingTheSecretButNotItsValue() {
    RegisteredFlow flow = registerChatty();
    String wrongKey = "not-the-secret-key-" + UUID.randomUUID();
    String wrong =
        "{\"ACCESS_KEY\": \""
            + server.accessKey()
            + "\", \"SECRET_ACCESS_KEY\": \""
            + wrongKey
            + "\"}";

    BootstrapProcess.Result result = bootstrap(environment(flow, flow.location(), wrong));

    assertFailed(
        result,
        "S3 refused the credentials (SignatureDoesNotMatch)",
        S3Location.parse(flow.location()).objectName(),
        "secret AWS_CREDENTIALS");
    assertThat(String.join("\n", result.lines())).doesNotContain(wrongKey);
  }

  @Test
  void aDeletedBucketFailsTheRunNamingIt() {
    RegisteredFlow flow = registerChatty();
    S3Location stored = S3Location.parse(flow.location());
    String elsewhere =
        new S3Location("deleted-bucket", stored.key(), null, stored.endpoint(), SECRET).toUri();

    BootstrapProcess.Result result =
        bootstrap(environment(flow, elsewhere, server.credentialsJson()));

    assertFailed(
        result,
        "S3 bucket 'deleted-bucket' does not exist",
        "register the flow again to an existing bucket");
  }

  @Test
  void anUnreachableEndpointFailsTheRunNamingIt() throws Exception {
    RegisteredFlow flow = registerChatty();
    S3Location stored = S3Location.parse(flow.location());
    String dead = "http://127.0.0.1:" + S3ProxyServer.freePort();
    String unreachable = new S3Location(BUCKET, stored.key(), null, dead, SECRET).toUri();

    BootstrapProcess.Result result =
        bootstrap(environment(flow, unreachable, server.credentialsJson()));

    assertFailed(result, "cannot reach S3 for " + stored.objectName(), dead, "Connection refused");
  }

  private static void assertFailed(BootstrapProcess.Result result, String... phrases) {
    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.LOAD_FAILED);
    String line = result.resultLine();
    assertThat(line).contains("\"state\":\"Failed\"");
    for (String phrase : phrases) {
      assertThat(line).contains(phrase.replace("\"", "\\\""));
    }
  }
}
