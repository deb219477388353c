package dev.gantry.storage.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.cli.CliResult;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Http;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry flow register --storage http://... --http-header Authorization=secret:TOKEN}
 * against a real HTTP server on 127.0.0.1 that requires the header, run by a local agent labelled
 * {@value Http#DEFAULT_LABEL}; a replaced bundle fails the run's digest check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFlowStorageCliTest {
  private static final Duration RUN_TIME = Duration.ofSeconds(90);
  private static final String SECRET = "FLOW_STORE_TOKEN";

  @TempDir static Path dir;
  private BundleHttpServer server;
  private LocalGantry gantry;
  private Agent agent;

  @BeforeAll
  void start() throws Exception {
    server = BundleHttpServer.start(dir.resolve("served"));
    gantry = new LocalGantry(dir.resolve("home"));
    Path token = Files.writeString(dir.resolve("token"), BundleHttpServer.TOKEN);
    CliResult set = gantry("secret", "set", SECRET, "--from-file", token.toString());
    assertThat(set.exitCode()).as(set.err()).isZero();
    agent =
        new Agent(
            gantry.client.backend(),
            gantry.launcher,
            AgentOptions.defaults("http-agent", Set.of(Http.DEFAULT_LABEL))
                .withPollInterval(Duration.ofMillis(100))
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)),
            BackendSecretSource.of(gantry.client.backend(), gantry.home.dir()));
    agent.start();
  }

  @AfterAll
  void stop() {
    if (agent != null) {
      agent.stop();
    }
    if (gantry != null) {
      gantry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + gantry.home.dir());
    return CliResult.run(all.toArray(String[]::new));
  }

  private CliResult register(String factory, String... more) {
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
                server.url() + "/{flow}/{digest}.gantry",
                "--http-header",
                "Authorization=secret:" + SECRET));
    args.addAll(List.of(more));
    return gantry(args.toArray(String[]::new));
  }

  @Test
  void aFlowStoredOnAnHttpServerRunsAndAReplacedBundleIsRefused() throws Exception {
    CliResult register = register("dev.gantry.examples.Etl#etl");

    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("etl");
    assertThat(flow.location())
        .isEqualTo(
            server.url() + "/etl/" + flow.digest() + ".gantry#h.Authorization=secret%3A" + SECRET);
    assertThat(flow.labels())
        .containsExactly(new FlowLabel(Http.DEFAULT_LABEL, LabelSource.storage));
    assertThat(register.out())
        .contains("labels:   http-flow-storage (storage)")
        .contains("secrets:  " + SECRET)
        .doesNotContain(BundleHttpServer.TOKEN);
    assertThat(server.checksums()).contains(flow.digest());

    FlowRun done = gantry.awaitEnd(gantry.run("etl", Map.of("rows", "10")).id(), RUN_TIME);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);

    Files.writeString(server.file(flow.location()), "not the bundle");
    FlowRun refused = gantry.awaitEnd(gantry.run("etl", Map.of("rows", "10")).id(), RUN_TIME);
    assertThat(refused.state()).isEqualTo(RunState.Failed);
    assertThat(refused.message()).contains("SHA-256").contains(flow.digest());
  }

  @Test
  void noDefaultLabelsLeavesTheHttpLabelOut() {
    CliResult register = register("dev.gantry.examples.Greeting#greeting", "--no-default-labels");

    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(gantry.client.flow("greeting").labels()).isEmpty();
  }

  @Test
  void aBadHeaderOrAHeaderWithoutHttpStorageIsRefused() {
    CliResult bad =
        gantry(
            "flow",
            "register",
            "--jar",
            "x.jar",
            "--factory",
            "a.B#c",
            "--storage",
            server.url(),
            "--http-header",
            "NoEquals");
    assertThat(bad.err()).contains("--http-header NoEquals is not NAME=VALUE");
    CliResult stray =
        gantry("flow", "register", "--jar", "x.jar", "--factory", "a.B#c", "--http-header", "A=b");
    assertThat(stray.err()).contains("--http-header needs --storage http(s)://...");
  }
}
