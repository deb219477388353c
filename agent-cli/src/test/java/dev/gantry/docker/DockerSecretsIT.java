package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunExecution;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's secret value reaches its task through {@code Secrets.get} in a real container of the
 * Gantry image, and is nowhere the engine shows it: not in {@code docker inspect} of the running
 * container, not in the engine's events for the run's whole life. A container whose launcher went
 * away is found again by another launcher and ends as it would have: its secrets were handed over
 * once, at start.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerSecretsIT {
  private static final String LABEL = "docker-secrets";
  private static final String FIND_LABEL = "docker-secrets-find";
  private static final String TOKEN = "tok-" + UUID.randomUUID();

  @TempDir static Path dir;
  private DockerGantry gantry;

  @BeforeAll
  void start() throws IOException {
    gantry = new DockerGantry(dir);
    Path jar = BundleFixtures.compileJar(dir.resolve("secret-flows.jar"), secretFlow());
    gantry.local.client.register(Registration.of(jar, "sec.Flows#reader"));
    SecretSource secrets =
        names -> {
          if (!names.equals(Set.of("API_TOKEN"))) {
            throw new SecretSource.MissingSecretException(String.join(",", names));
          }
          return Map.of("API_TOKEN", TOKEN);
        };
    gantry.startAgent("docker-secrets", Set.of(LABEL), DockerSettings.defaults(), secrets);
  }

  @AfterAll
  void stop() {
    gantry.close();
  }

  @Test
  void theValueReachesTheTaskAndIsNeitherInInspectNorInTheEvents() throws Exception {
    long since = Instant.now().getEpochSecond() - 1;
    FlowRun run = gantry.runFor(LABEL, "secret-reader", Map.of("seconds", "4"));

    String container = gantry.awaitContainer(run.id());
    await()
        .atMost(DockerGantry.RUN_TIME)
        .until(() -> logs(run).stream().anyMatch(l -> l.message().contains("secret length")));
    String inspected = docker("inspect", container);
    FlowRun done = gantry.local.awaitEnd(run.id(), DockerGantry.RUN_TIME);
    long until = Instant.now().getEpochSecond() + 1;
    String events =
        docker(
            "events",
            "--since",
            Long.toString(since),
            "--until",
            Long.toString(until),
            "--format",
            "{{json .}}");

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(logs(run))
        .anySatisfy(
            l ->
                assertThat(l.message())
                    .contains("secret length " + TOKEN.length() + " sha256 " + sha256(TOKEN)));
    assertThat(inspected)
        .as("docker inspect of the run's container")
        .contains(container)
        .contains(BootstrapSpec.SECRETS_ON_STDIN + "=true")
        .contains(BootstrapSpec.SECRET_NAMES + "=API_TOKEN")
        .doesNotContain(TOKEN);
    assertThat(events)
        .as("the engine's events of the run")
        .contains(container)
        .contains("\"start\"")
        .doesNotContain(TOKEN);
    assertThat(logs(run)).noneSatisfy(l -> assertThat(l.message()).contains(TOKEN));
  }

  @Test
  void aContainerWhoseLauncherWentAwayIsFoundAgainAndEndsWithTheSecretRead() throws Exception {
    LaunchRequest request = claimWithSecret(6);
    List<String> firstOutput = new CopyOnWriteArrayList<>();
    List<String> secondOutput = new CopyOnWriteArrayList<>();
    DockerLauncher first = new DockerLauncher(DockerSettings.defaults());
    DockerLauncher second = new DockerLauncher(DockerSettings.defaults());
    try {
      first.launch(request, firstOutput::add);
      await()
          .atMost(DockerGantry.RUN_TIME)
          .until(() -> firstOutput.stream().anyMatch(l -> l.contains("secret length")));
      first.close(); // the agent died: the secrets were handed over at start, nothing more is due

      RunExecution found =
          second
              .find(request.runId(), request.run().attempt(), null, secondOutput::add)
              .orElseThrow();
      ExitReport exit = found.exit().get(DockerGantry.RUN_TIME.toSeconds(), TimeUnit.SECONDS);

      assertThat(exit.exitCode()).isZero();
      assertThat(secondOutput)
          .anySatisfy(l -> assertThat(l).contains("\"state\":\"Success\""))
          .anySatisfy(l -> assertThat(l).contains("secret length " + TOKEN.length()));
    } finally {
      first.close();
      second.close();
    }
  }

  /** A run of secret-reader claimed as an agent would, its request carrying the secret. */
  private LaunchRequest claimWithSecret(int seconds) {
    FlowRun created =
        gantry.local.client.createRun(
            "secret-reader", Map.of("seconds", Integer.toString(seconds)), Set.of(FIND_LABEL));
    String agentId = "test-agent-" + created.id().substring(0, 8);
    FlowRun run =
        gantry
            .local
            .client
            .backend()
            .runs()
            .claimDue(agentId, Set.of(Local.hostName(), FIND_LABEL), 10, Instant.now())
            .stream()
            .filter(r -> r.id().equals(created.id()))
            .findFirst()
            .orElseThrow();
    RegisteredFlow flow = gantry.local.client.backend().flows().find(run.flowId()).orElseThrow();
    BootstrapSpec spec =
        new BootstrapSpec(
            run.id(),
            run.attempt(),
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            run.parameters(),
            Set.of("API_TOKEN"));
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    env.put(BootstrapSpec.SECRET_PREFIX + "API_TOKEN", TOKEN);
    return new LaunchRequest(run, flow, env, flow.image(), agentId);
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.local.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  private static String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = process.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s: %s", command, text).isZero();
    return text;
  }

  static String sha256(String value) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static Map<String, String> secretFlow() {
    return Map.of(
        "sec.Flows",
"""
        package sec;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Parameter;
        import dev.gantry.flow.Secrets;
        import java.nio.charset.StandardCharsets;
        import java.security.MessageDigest;
        import java.util.HexFormat;
import java.util.LinkedHashMap;

        public final class Flows {
          public static Flow reader() {
            Flow flow = new Flow("secret-reader").secrets("API_TOKEN");
            Parameter<Integer> seconds = flow.parameter("seconds", Integer.class, 0);
            flow.task("read", seconds, s -> {
              String token = Secrets.get("API_TOKEN");
              String hash;
              try {
                hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              System.out.println("secret length " + token.length() + " sha256 " + hash);
              try {
                Thread.sleep(s * 1000L);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return token.length();
            });
            return flow;
          }
        }
        """);
  }
}
