package dev.gantry.storage.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.cli.CliResult;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Maven;
import dev.gantry.secrets.BackendSecretSource;
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
 * {@code gantry flow register --storage maven:...} against a real HTTP Maven repository on
 * 127.0.0.1 with basic auth, credentials from {@code gantry secret set}, run by a local agent
 * labelled {@value Maven#DEFAULT_LABEL}: a redeployed snapshot changes the next run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MavenFlowStorageCliTest {
  private static final Duration RUN_TIME = Duration.ofSeconds(90);
  private static final String SECRET = "MAVEN_CREDENTIALS";

  @TempDir static Path dir;
  private MavenRepositoryServer repository;
  private LocalGantry gantry;
  private Agent agent;

  @BeforeAll
  void start() throws Exception {
    repository = MavenRepositoryServer.start(dir.resolve("served"));
    gantry = new LocalGantry(dir.resolve("home"));
    Path credentials = Files.writeString(dir.resolve("maven.json"), repository.credentialsJson());
    CliResult set = gantry("secret", "set", SECRET, "--from-file", credentials.toString());
    assertThat(set.exitCode()).as(set.err()).isZero();
    agent =
        new Agent(
            gantry.client.backend(),
            gantry.launcher,
            AgentOptions.defaults("maven-agent", Set.of(Maven.DEFAULT_LABEL))
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
    if (repository != null) {
      repository.close();
    }
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + gantry.home.dir());
    return CliResult.run(all.toArray(String[]::new));
  }

  private CliResult register(String coordinate, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "flow",
                "register",
                "--factory",
                "hot.Flows#hot",
                "--storage",
                "maven:" + coordinate,
                "--maven-repo",
                repository.url(),
                "--maven-credentials-secret",
                SECRET));
    args.addAll(List.of(more));
    return gantry(args.toArray(String[]::new));
  }

  @Test
  void aRedeployedSnapshotChangesTheNextRunWithoutRegisteringAgain() throws Exception {
    repository.deploy(
        "com.acme",
        "hot",
        "1.0-SNAPSHOT",
        BundleFixtures.compileJar(dir.resolve("v1.jar"), hot("v1")),
        dir);

    CliResult register = register("com.acme:hot:1.0-SNAPSHOT");

    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("hot");
    assertThat(flow.location()).startsWith("maven:com.acme:hot:1.0-SNAPSHOT?repo=");
    assertThat(flow.labels())
        .containsExactly(new FlowLabel(Maven.DEFAULT_LABEL, LabelSource.storage));
    assertThat(register.out())
        .contains("labels:   maven-flow-storage (storage)")
        .contains("secrets:  " + SECRET)
        .doesNotContain(MavenRepositoryServer.PASSWORD);
    FlowRun first = gantry.awaitEnd(gantry.run("hot", Map.of()).id(), RUN_TIME);
    assertThat(first.state()).as(first.message()).isEqualTo(RunState.Success);
    assertThat(logs(first)).anySatisfy(l -> assertThat(l.message()).isEqualTo("hot v1"));
    assertThat(logs(first))
        .anySatisfy(
            l -> assertThat(l.message()).contains("runs snapshot build com.acme:hot:jar:1.0-"));

    repository.deploy(
        "com.acme",
        "hot",
        "1.0-SNAPSHOT",
        BundleFixtures.compileJar(dir.resolve("v2.jar"), hot("v2")),
        dir);
    FlowRun second = gantry.awaitEnd(gantry.run("hot", Map.of()).id(), RUN_TIME);

    assertThat(second.state()).as(second.message()).isEqualTo(RunState.Success);
    assertThat(logs(second)).anySatisfy(l -> assertThat(l.message()).isEqualTo("hot v2"));
    assertThat(gantry.client.flow("hot").version()).isEqualTo(flow.version());
    assertThat(gantry("run", "show", first.id()).out())
        .containsPattern(
            "Bundle     build com\\.acme:hot:jar:1\\.0-\\d{8}\\.\\d{6}-1 \\(sha256:[0-9a-f]{64}\\)");
    assertThat(gantry("run", "show", second.id()).out())
        .containsPattern(
            "Bundle     build com\\.acme:hot:jar:1\\.0-\\d{8}\\.\\d{6}-2 \\(sha256:[0-9a-f]{64}\\)");
  }

  @Test
  void aMissingArtifactFailsRegistrationInOneLineNamingTheLocation() {
    CliResult register = register("com.acme:absent:1.0.0");

    assertThat(register.exitCode()).isEqualTo(1);
    assertThat(register.err().strip())
        .startsWith("error: maven:com.acme:absent:1.0.0 in " + repository.url())
        .contains("is not in the repository")
        .doesNotContain("\n");
  }

  @Test
  void theMavenOptionsGoTogetherAndExcludeJar() {
    CliResult noRepo = gantry("flow", "register", "--factory", "a.B#c", "--storage", "maven:a:b:1");
    assertThat(noRepo.err()).contains("--maven-repo URL");
    CliResult withJar =
        gantry(
            "flow",
            "register",
            "--jar",
            "x.jar",
            "--factory",
            "a.B#c",
            "--storage",
            "maven:a:b:1",
            "--maven-repo",
            repository.url());
    assertThat(withJar.err()).contains("--jar and --storage maven:... exclude each other");
    CliResult noJar = gantry("flow", "register", "--factory", "a.B#c");
    assertThat(noJar.err()).contains("--jar JAR is required");
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  /** {@code hot.Flows#hot}: flow "hot" whose one task prints "hot VERSION". */
  private static Map<String, String> hot(String version) {
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
