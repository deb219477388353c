package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.cli.Gantry;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.S3;
import dev.gantry.home.GantryHome;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.S3ProxyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The story on a real engine: {@code gantry secret set AWS_CREDENTIALS}, a flow registered
 * to S3 (S3Proxy on 127.0.0.1), {@code gantry agent start docker -l s3-flow-storage} as a process
 * of its own; the run's container of the Gantry image fetches the bundle from S3 with the secret
 * the agent injected and runs it to Success. Then a second version, registered to S3 afterwards,
 * runs in the same image without rebuilding it.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerS3EndToEndIT {
  private static final String BUCKET = "gantry-flows";
  private static final Duration RUN_TIME = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private S3ProxyServer s3;
  private Path home;
  private String database;
  private DatabaseGantryClient gantry;
  private String image;
  private final List<Process> agents = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    image = GantryImage.ensureBuilt();
    s3 = S3ProxyServer.start(dir.resolve("s3"));
    s3.createBucket(BUCKET);
    home = dir.resolve("home");
    database = JdbcBackend.embeddedUrl(home);
    gantry = GantryClient.open(new GantryHome(home), database);
    Path credentials = Files.writeString(dir.resolve("aws.json"), s3.credentialsJson());
    cli("secret", "set", "AWS_CREDENTIALS", "--from-file", credentials.toString());
    startDockerAgent();
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (Process agent : agents) {
      agent.destroy();
      if (!agent.waitFor(60, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
    if (gantry != null) {
      gantry.close();
    }
    if (s3 != null) {
      s3.close();
    }
    TestDocker.removeGantryContainers();
  }

  @Test
  void aFlowOnS3RunsInTheGantryImageThenASecondVersionRunsInTheSameImage() throws Exception {
    String imageId = TestDocker.client().inspectImageCmd(image).exec().getId();
    registerEtlToS3();
    RegisteredFlow first = gantry.flow("etl");
    assertThat(first.location()).startsWith("s3://" + BUCKET + "/");
    assertThat(first.labelSet()).contains(S3.DEFAULT_LABEL);

    FlowRun done = awaitEnd(gantry.createRun("etl", Map.of("rows", "7"), Set.of()));

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(logs(done)).anySatisfy(l -> assertThat(l.message()).contains("loaded 7 rows"));

    registerEtlToS3();
    RegisteredFlow second = gantry.flow("etl");
    assertThat(second.version()).isGreaterThan(first.version());

    FlowRun again = awaitEnd(gantry.createRun("etl", Map.of("rows", "8"), Set.of()));

    assertThat(again.state()).as(again.message()).isEqualTo(RunState.Success);
    assertThat(again.flowVersion()).isEqualTo(second.version());
    assertThat(logs(again)).anySatisfy(l -> assertThat(l.message()).contains("loaded 8 rows"));
    assertThat(TestDocker.client().inspectImageCmd(image).exec().getId())
        .as("the image was not rebuilt")
        .isEqualTo(imageId);
  }

  private void registerEtlToS3() {
    cli(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Etl#etl",
        "--storage",
        "s3://" + BUCKET + "/docker-e2e",
        "--s3-endpoint",
        s3.endpoint(),
        "--s3-credentials-secret",
        "AWS_CREDENTIALS");
  }

  /** {@code gantry agent start docker -l s3-flow-storage}, as its own process of the gantry jar. */
  private void startDockerAgent() throws Exception {
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "agent",
            "start",
            "docker",
            "-l",
            S3.DEFAULT_LABEL,
            // S3Proxy listens on 127.0.0.1: the run containers share the host's network.
            "--network",
            "host",
            "--name",
            "s3-docker",
            "--poll-interval",
            "100ms",
            "--home",
            home.toString(),
            "--db",
            database);
    Process agent =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3-docker.log").toFile())
            .start();
    agents.add(agent);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(dir.resolve("s3-docker.log")).contains("started with"));
  }

  private FlowRun awaitEnd(FlowRun run) {
    await()
        .atMost(RUN_TIME)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> gantry.backend().runs().find(run.id()).orElseThrow().state().isTerminal());
    return gantry.backend().runs().find(run.id()).orElseThrow();
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.backend().runs().logs(run.id(), 0, 10_000);
  }

  private void cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    all.add("--db=" + database);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = Gantry.commandLine();
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int code = command.execute(all.toArray(String[]::new));
    assertThat(code).as("gantry %s: %s %s", String.join(" ", args), out, err).isZero();
  }
}
