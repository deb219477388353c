package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.PostgresSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry agent start local --max-memory 1g} in a JVM of its own publishes its policy; while
 * it is busy with another run, {@code gantry run explain} of a waiting run whose flow asks for 2g
 * says the agent would refuse it, naming the agent, the setting and the limit.
 */
class RunExplainAcrossProcessesTest {
  @TempDir Path home;

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
    if (agent != null) {
      agent.destroy();
      if (!agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
    gantry.close();
    schema.close();
  }

  @Test
  void aWaitingRunTheAgentInAnotherProcessWouldRefuseIsExplainedByPolicy() throws Exception {
    gantry.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Sleepy#sleepy"));
    gantry.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl")
            .withRunConfig(Map.of("memory", "2g")));
    agent = startAgentProcess("small-local");
    AgentInfo small = awaitAgent("small-local");
    FlowRun busy = gantry.run("sleepy", Map.of("seconds", "120"));
    gantry.awaitState(busy.id(), RunState.Running, Duration.ofSeconds(90));
    FlowRun big = gantry.run("etl", Map.of());

    CliResult explained =
        CliResult.run("run", "explain", big.id(), "--home=" + home, "--db=" + schema.url());

    assertThat(gantry.client.backend().agents().policies()).containsKey(small.id());
    assertThat(explained.exitCode()).as(explained.err()).isZero();
    assertThat(explained.out().lines().toList())
        .containsExactly(
            "Run "
                + big.id()
                + " is due, but every live agent that takes its labels refuses what its flow asks"
                + " for (it would fail at launch):",
            "    - small-local: memory=2g (registration) is above this agent's --max-memory 1g",
            "  Register the flow without those settings, or start an agent whose policy allows"
                + " them.");
    assertThat(gantry.find(big.id()).state()).isEqualTo(RunState.Scheduled);
  }

  private AgentInfo awaitAgent(String name) {
    await()
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> !agent.isAlive())
        .until(() -> agentNamed(name).isPresent());
    return agentNamed(name).orElseThrow();
  }

  private Optional<AgentInfo> agentNamed(String name) {
    return gantry.client.agents().stream()
        .filter(a -> a.name().equals(name) && a.stoppedAt() == null)
        .findFirst();
  }

  /** {@code gantry agent start local --max-memory 1g --max-concurrent 1} in a JVM of its own. */
  private Process startAgentProcess(String name) throws IOException {
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
            "--home=" + home,
            "--db=" + schema.url(),
            "--name=" + name,
            "--label=" + Local.hostName(),
            "--max-memory=1g",
            "--max-concurrent=1",
            "--poll-interval=100ms",
            "--heartbeat-interval=250ms",
            "--grace-period=1s",
            "--no-scheduler",
            "--no-warm-start"));
    LocalGantry.CHILD_JVM.forEach(option -> command.add("--java-opt=" + option));
    Path output =
        Files.createDirectories(Path.of("target", "agent-processes")).resolve(name + ".log");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }
}
