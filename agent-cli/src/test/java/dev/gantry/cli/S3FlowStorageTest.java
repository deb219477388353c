package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.bundle.BundleWriter;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.storage.S3;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.secrets.MasterKey;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.s3.S3Location;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * Flows registered to S3 with {@code gantry flow register --storage s3://...}, run by a local agent
 * labelled {@value S3#DEFAULT_LABEL} whose secrets come from {@code gantry secret set}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3FlowStorageTest {
  private static final String BUCKET = "flows";
  private static final Duration RUN_TIME = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private S3ProxyServer server;
  private LocalGantry gantry;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    server = S3ProxyServer.start(dir.resolve("s3"));
    server.createBucket(BUCKET);
    gantry = new LocalGantry(dir.resolve("home"));
    Path credentials = Files.writeString(dir.resolve("aws.json"), server.credentialsJson() + "\n");
    CliResult set =
        gantry("secret", "set", "AWS_CREDENTIALS", "--from-file", credentials.toString());
    assertThat(set.exitCode()).as(set.err()).isZero();
    startAgent(
        "s3-agent",
        Set.of(S3.DEFAULT_LABEL),
        BackendSecretSource.of(gantry.client.backend(), home()));
  }

  @AfterAll
  void stop() {
    agents.forEach(Agent::stop);
    if (gantry != null) {
      gantry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private Path home() {
    return gantry.home.dir();
  }

  private void startAgent(String name, Set<String> labels, BackendSecretSource secrets) {
    AgentOptions options =
        AgentOptions.defaults(name, labels)
            .withPollInterval(Duration.ofMillis(100))
            .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3));
    Agent agent = new Agent(gantry.client.backend(), gantry.launcher, options, secrets);
    agents.add(agent);
    agent.start();
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home());
    return CliResult.run(all.toArray(String[]::new));
  }

  private CliResult registerToS3(String factory, String prefix, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "flow",
                "register",
                "--jar",
                ExamplesJar.path().toString(),
                "--factory",
                factory,
                "--storage",
                "s3://" + BUCKET + "/" + prefix,
                "--s3-endpoint",
                server.endpoint(),
                "--s3-credentials-secret",
                "AWS_CREDENTIALS"));
    args.addAll(List.of(more));
    return gantry(args.toArray(String[]::new));
  }

  @Test
  void aFlowRegisteredToS3RunsToSuccessAndShowsItsStorageLabel() {
    CliResult register = registerToS3("dev.gantry.examples.Etl#etl", "team-etl");

    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("etl");
    assertThat(flow.location())
        .startsWith("s3://flows/team-etl/etl/" + flow.digest() + ".gantry?endpoint=")
        .endsWith("&credentials=AWS_CREDENTIALS");
    assertThat(flow.labels()).containsExactly(new FlowLabel(S3.DEFAULT_LABEL, LabelSource.storage));
    assertThat(flow.secrets()).containsExactly("AWS_CREDENTIALS");
    assertThat(register.out())
        .contains("location: s3://flows/team-etl/etl/")
        .contains("labels:   s3-flow-storage (storage)")
        .contains("secrets:  AWS_CREDENTIALS");
    assertThat(register.err()).as("an agent with the label is live: no warning").isEmpty();

    FlowRun done = gantry.awaitEnd(gantry.run("etl", Map.of("rows", "10")).id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(logs(done))
        .anySatisfy(l -> assertThat(l.message()).contains(BundleFixtures.ETL_LOAD_10));
    assertThat(gantry("flow", "list").out()).contains("s3-flow-storage (storage)");
    assertThat(gantry("run", "show", done.id()).out())
        .contains("Labels     s3-flow-storage (storage)");
  }

  @Test
  void noDefaultLabelsLeavesTheS3LabelOut() {
    CliResult register =
        registerToS3("dev.gantry.examples.Greeting#greeting", "plain", "--no-default-labels");

    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(gantry.client.flow("greeting").labels()).isEmpty();
    assertThat(register.out()).contains("labels:   (none)");
  }

  @Test
  void replacingASourceBundleInS3ChangesTheNextRunWithoutRegistering() throws Exception {
    Path v1 = BundleFixtures.compileJar(dir.resolve("hot-v1.jar"), hotFlow("v1"));
    Path v2 = BundleFixtures.compileJar(dir.resolve("hot-v2.jar"), hotFlow("v2"));
    CliResult register =
        gantry(
            "flow",
            "register",
            "--jar",
            v1.toString(),
            "--factory",
            "hot.Flows#hot",
            "--as-source",
            "--storage",
            "s3://" + BUCKET + "/hot",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "AWS_CREDENTIALS");
    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("hot");
    S3Location location = S3Location.parse(flow.location());
    assertThat(location.key()).isEqualTo("hot/hot/source.gantry");

    FlowRun first = gantry.awaitEnd(gantry.run("hot", Map.of()).id(), RUN_TIME);
    Path replacement = dir.resolve("hot-v2.gantry");
    BundleWriter.writeSource("hot", FlowFactory.parse("hot.Flows#hot"), List.of(v2), replacement);
    try (S3Client s3 = server.client()) {
      s3.putObject(p -> p.bucket(BUCKET).key(location.key()), RequestBody.fromFile(replacement));
    }
    FlowRun second = gantry.awaitEnd(gantry.run("hot", Map.of()).id(), RUN_TIME);

    assertThat(first.state()).isEqualTo(RunState.Success);
    assertThat(second.state()).isEqualTo(RunState.Success);
    assertThat(second.flowVersion()).isEqualTo(first.flowVersion());
    assertThat(logs(first)).anySatisfy(l -> assertThat(l.message()).isEqualTo("hot v1"));
    assertThat(logs(second)).anySatisfy(l -> assertThat(l.message()).isEqualTo("hot v2"));
  }

  @Test
  void aDeletedObjectEndsTheRunFailedNamingIt() {
    registerToS3("dev.gantry.examples.Chatty#chatty", "gone");
    S3Location location = S3Location.parse(gantry.client.flow("chatty").location());
    try (S3Client s3 = server.client()) {
      s3.deleteObject(d -> d.bucket(BUCKET).key(location.key()));
    }

    FlowRun done = gantry.awaitEnd(gantry.run("chatty", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains("no object " + location.objectName())
        .contains("register the flow again")
        .doesNotContain("\n");
  }

  @Test
  void credentialsThatNoLongerWorkEndTheRunFailedNamingTheSecret() throws Exception {
    Path good = Files.writeString(dir.resolve("rotating.json"), server.credentialsJson());
    gantry("secret", "set", "ROTATING_AWS", "--from-file", good.toString());
    CliResult register =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Printer#echoEnv",
            "--storage",
            "s3://" + BUCKET + "/rotating",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "ROTATING_AWS");
    assertThat(register.exitCode()).as(register.err()).isZero();
    String stale = "stale-secret-key-" + UUID.randomUUID();
    gantry(
        "secret",
        "set",
        "ROTATING_AWS",
        "--value",
        "{\"ACCESS_KEY\": \""
            + server.accessKey()
            + "\", \"SECRET_ACCESS_KEY\": \""
            + stale
            + "\"}");

    FlowRun done = gantry.awaitEnd(gantry.run("echo-env", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains("S3 refused the credentials (SignatureDoesNotMatch)")
        .contains("secret ROTATING_AWS")
        .doesNotContain(stale);
  }

  @Test
  void aMissingSecretFailsTheRunAtLaunchNamingItBeforeAnythingStarts() {
    FlowRun run =
        runOfCraftedFlow(
            "needs-token",
            "module:dev.gantry.examples.Etl#etl",
            Set.of("NOT_SET_TOKEN"),
            S3.DEFAULT_LABEL);

    FlowRun done = gantry.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains("secret 'NOT_SET_TOKEN' is not set")
        .contains("gantry secret set NOT_SET_TOKEN");
    assertThat(history(done))
        .containsExactly(RunState.Scheduled, RunState.Submitted, RunState.Failed);
  }

  @Test
  void anAgentWithAnotherSecretKeyFailsTheRunNamingSecretAndKeySource() {
    SecretVault otherKey =
        new SecretVault(
            gantry.client.backend().secrets(),
            home(),
            Map.of(MasterKey.ENV_KEY, MasterKey.generate()));
    startAgent("wrong-key-agent", Set.of("wrong-key"), new BackendSecretSource(otherKey));
    FlowRun run =
        runOfCraftedFlow(
            "wrong-key-flow",
            "module:dev.gantry.examples.Etl#etl",
            Set.of("AWS_CREDENTIALS"),
            "wrong-key");

    FlowRun done = gantry.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains(
            "secret 'AWS_CREDENTIALS' cannot be decrypted with the key from GANTRY_SECRET_KEY");
    assertThat(history(done)).doesNotContain(RunState.Running);
  }

  @Test
  void registrationFailuresAreOneLineNamingBucketKeyAndCause() throws Exception {
    CliResult noBucket =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--storage",
            "s3://no-such-bucket/x",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "AWS_CREDENTIALS");
    String dead = "http://127.0.0.1:" + S3ProxyServer.freePort();
    CliResult unreachable =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--storage",
            "s3://" + BUCKET + "/x",
            "--s3-endpoint",
            dead,
            "--s3-credentials-secret",
            "AWS_CREDENTIALS");
    String wrongKey = "wrong-" + UUID.randomUUID();
    gantry(
        "secret",
        "set",
        "WRONG_AWS",
        "--value",
        "{\"ACCESS_KEY\": \""
            + server.accessKey()
            + "\", \"SECRET_ACCESS_KEY\": \""
            + wrongKey
            + "\"}");
    CliResult wrongCredentials =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--storage",
            "s3://" + BUCKET + "/x",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "WRONG_AWS");
    CliResult optionsWithoutS3 =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--s3-endpoint",
            server.endpoint());

    assertOneLineError(
        noBucket,
        "S3 bucket 'no-such-bucket' does not exist",
        "s3://no-such-bucket/x/chatty/",
        "create it");
    assertOneLineError(
        unreachable, "cannot reach S3 for s3://flows/x/chatty/", dead, "Connection refused");
    assertOneLineError(
        wrongCredentials,
        "S3 refused the credentials (SignatureDoesNotMatch)",
        "s3://flows/x/chatty/",
        "secret WRONG_AWS");
    assertThat(wrongCredentials.err()).doesNotContain(wrongKey);
    assertOneLineError(optionsWithoutS3, "need --storage s3://BUCKET/PREFIX");
    gantry
        .client
        .backend()
        .flows()
        .latest("chatty")
        .ifPresent(
            flow ->
                assertThat(flow.location())
                    .as("no failed registration recorded a version")
                    .doesNotContain("/x/"));
  }

  private static void assertOneLineError(CliResult result, String... phrases) {
    assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
    assertThat(result.err().strip()).startsWith("error: ").doesNotContain("\n");
    for (String phrase : phrases) {
      assertThat(result.err()).contains(phrase);
    }
  }

  /** A flow row made directly, for what registration would refuse to make. */
  private FlowRun runOfCraftedFlow(
      String name, String location, Set<String> secrets, String label) {
    RegisteredFlow flow =
        gantry
            .client
            .backend()
            .flows()
            .register(
                new NewFlowVersion(
                    name,
                    BundleFormat.module,
                    location,
                    null,
                    "dev.gantry.examples.Etl#etl",
                    null,
                    List.of(new FlowLabel(label, LabelSource.storage)),
                    secrets,
                    List.of()));
    return gantry.client.createRun(flow.name(), Map.of(), Set.of());
  }

  private List<RunState> history(FlowRun run) {
    return gantry.client.backend().runs().history(run.id()).stream()
        .map(StateChange::state)
        .toList();
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  /** {@code hot.Flows#hot}: flow "hot" whose one task prints "hot VERSION". */
  private static Map<String, String> hotFlow(String version) {
    return Map.of(
        "hot.Flows",
        """
        package hot;

        import dev.gantry.flow.Flow;

        public final class Flows {
          public static Flow hot() {
            Flow flow = new Flow("hot");
            flow.task("say", () -> {
              System.out.println("hot %s");
              return "%s";
            });
            return flow;
          }
        }
        """
            .formatted(version, version));
  }
}
