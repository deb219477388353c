package dev.gantry.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.cli.CliResult;
import dev.gantry.cli.Gantry;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.Redactor;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.PostgresSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry agent start local --log-format json} in a JVM of its own on a real PostgreSQL runs
 * a succeeding flow and one that prints, logs and fails with a secret, each in a real child JVM:
 * every line on the agent's stderr is one JSON object, the lines about a run carry its fields and
 * its trace id, and the secret's value is nowhere in the output.
 */
class JsonLogsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_TIME = Duration.ofSeconds(90);

  @TempDir Path home;
  @TempDir Path dir;

  private PostgresSchema schema;
  private LocalGantry gantry;
  private Process agent;

  @BeforeEach
  void start() {
    schema = PostgresSchema.create();
    gantry = new LocalGantry(home, schema.url());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.destroyForcibly();
      agent.waitFor(10, TimeUnit.SECONDS);
    }
    gantry.close();
    schema.close();
  }

  @Test
  void everyLineOfAJsonAgentParsesAndCarriesTheFieldsOfItsRunButNoSecret() throws Exception {
    String token = "tok-" + UUID.randomUUID();
    CliResult set =
        CliResult.run(
            "secret",
            "set",
            "API_TOKEN",
            "--value",
            token,
            "--home=" + home,
            "--db=" + schema.url());
    assertThat(set.exitCode()).as(set.err()).isZero();
    gantry.registerExample("dev.gantry.examples.Etl#etl");
    Path jar = BundleFixtures.compileJar(dir.resolve("token-flows.jar"), tokenFlow());
    gantry.client.register(Registration.of(jar, "leak.Flows#tokenReport"));

    Path stderr = dir.resolve("agent.err");
    agent = startJsonAgent("json-agent", stderr);
    FlowRun etl = gantry.run("etl", Map.of("rows", "3"));
    FlowRun leak = gantry.run("token-report", Map.of());
    assertThat(gantry.awaitEnd(etl.id(), RUN_TIME).state()).isEqualTo(RunState.Success);
    assertThat(gantry.awaitEnd(leak.id(), RUN_TIME).state()).isEqualTo(RunState.Failed);
    String agentId = agentNamed("json-agent").id();
    agent.destroy(); // SIGTERM: the agent stops and logs that it stopped
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();

    List<String> lines = Files.readAllLines(stderr);
    assertThat(lines).as("the agent logged").hasSizeGreaterThan(3);
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      JsonNode event = JSON.readTree(line); // throws on a line that is not JSON
      assertThat(event.isObject()).as(line).isTrue();
      assertThat(event.has("timestamp") && event.has("level") && event.has("logger"))
          .as(line)
          .isTrue();
      assertThat(event.path("message").isTextual()).as(line).isTrue();
      events.add(event);
    }
    for (FlowRun run : List.of(etl, leak)) {
      FlowRun ended = gantry.find(run.id());
      List<JsonNode> aboutRun =
          events.stream().filter(e -> e.path("run_id").asText().equals(run.id())).toList();
      assertThat(aboutRun)
          .as("lines of run %s: its launch and its end", run.id())
          .hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(
              e -> {
                assertThat(e.path("flow").asText()).isEqualTo(run.flowName());
                assertThat(e.path("flow_version").asText())
                    .isEqualTo(Integer.toString(run.flowVersion()));
                assertThat(e.path("attempt").asText()).isEqualTo("1");
                assertThat(e.path("agent").asText()).isEqualTo(agentId);
                assertThat(e.path("agent_kind").asText()).isEqualTo("local");
                assertThat(e.path("trace_id").asText())
                    .isEqualTo(TraceParent.forAttempt(run.id(), ended.attempt()).traceId());
              });
      assertThat(aboutRun)
          .anySatisfy(e -> assertThat(e.path("message").asText()).contains("ended"));
    }
    // The secret reached the run (its stored log shows the mask) and never the agent's output.
    CliResult logs =
        CliResult.run("run", "logs", leak.id(), "--home=" + home, "--db=" + schema.url());
    assertThat(logs.out()).contains("logged token " + Redactor.MASK).doesNotContain(token);
    assertThat(String.join("\n", lines)).doesNotContain(token);
  }

  private AgentInfo agentNamed(String name) {
    return gantry.client.backend().agents().list().stream()
        .filter(a -> a.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private Process startJsonAgent(String name, Path stderr) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Gantry.class.getName());
    command.addAll(
        List.of(
            "agent",
            "start",
            "local",
            "--log-format",
            "json",
            "--home=" + home,
            "--db=" + schema.url(),
            "--name=" + name,
            "--label=" + Local.hostName(),
            "--poll-interval=100ms",
            "--no-scheduler",
            "--no-warm-start"));
    LocalGantry.CHILD_JVM.forEach(option -> command.add("--java-opt=" + option));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("agent.out").toFile())
            .redirectError(stderr.toFile());
    builder.environment().remove("GANTRY_LOG_FORMAT"); // the option alone chooses JSON
    Process process = builder.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                gantry.client.backend().agents().list().stream()
                    .anyMatch(a -> a.name().equals(name) && a.stoppedAt() == null));
    return process;
  }

  /** {@code leak.Flows#tokenReport}: prints and logs its API_TOKEN, then fails naming it. */
  static Map<String, String> tokenFlow() {
    return Map.of(
        "leak.Flows",
        """
        package leak;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Secrets;
        import org.slf4j.LoggerFactory;

        public final class Flows {
          public static Flow tokenReport() {
            Flow flow = new Flow("token-report").secrets("API_TOKEN");
            var report = flow.task("report", () -> {
              String token = Secrets.get("API_TOKEN");
              System.out.println("token is " + token);
              LoggerFactory.getLogger("leak").info("logged token {}", token);
              return token.length();
            });
            flow.task("check", report, length -> {
              throw new IllegalStateException("rejected token " + Secrets.get("API_TOKEN"));
            });
            return flow;
          }
        }
        """);
  }
}
