package dev.gantry.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local agent as its own process (the packaged jar) beside this JVM's client, on one embedded
 * database: what happens to runs when the agent is stopped politely or killed.
 */
class AgentProcessIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path dir;
  private LocalGantry gantry;
  private Process agentProcess;

  @BeforeEach
  void register() {
    gantry = new LocalGantry(dir.resolve("home"));
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
  }

  @AfterEach
  void stop() {
    if (agentProcess != null && agentProcess.isAlive()) {
      agentProcess.destroyForcibly();
    }
    gantry.close();
  }

  private Process startAgentProcess(String name, String gracePeriod) throws Exception {
    return GantryJar.start(
        dir.resolve(name + ".log"),
        "agent",
        "start",
        "local",
        "--home",
        dir.resolve("home").toString(),
        "--name",
        name,
        "-l",
        Local.hostName(),
        "--poll-interval",
        "100ms",
        "--heartbeat-interval",
        "500ms",
        "--grace-period",
        gracePeriod);
  }

  @Test
  void sigtermLetsRunningRunsFinishThenStopsTheAgent() throws Exception {
    agentProcess = startAgentProcess("polite", "60s");
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "3"));
    gantry.awaitState(run.id(), RunState.Running, WITHIN);

    agentProcess.destroy(); // SIGTERM

    assertThat(gantry.awaitEnd(run.id(), WITHIN).state()).isEqualTo(RunState.Success);
    assertThat(agentProcess.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<AgentInfo> agents = gantry.client.backend().agents().list();
    assertThat(agents).singleElement().satisfies(a -> assertThat(a.stoppedAt()).isNotNull());
    assertThat(Files.readString(dir.resolve("polite.log"))).contains("agent polite stopped");
  }

  @Test
  void sigtermPastTheGracePeriodStopsTheRunAndRecordsItCrashed() throws Exception {
    agentProcess = startAgentProcess("hasty", "1s");
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "120"));
    gantry.awaitState(run.id(), RunState.Running, WITHIN);

    agentProcess.destroy();

    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message()).contains("agent hasty stopped before run").contains("grace period");
  }

  @Test
  void aKilledAgentsRunStopsAndAnotherAgentEndsItCrashed() throws Exception {
    agentProcess = startAgentProcess("doomed", "30s");
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "300"));
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    List<ProcessHandle> children = agentProcess.descendants().toList();
    assertThat(children).isNotEmpty();

    agentProcess.destroyForcibly(); // SIGKILL: no chance to clean up

    // The child JVM sees its agent's pipe close and stops by itself.
    await().atMost(WITHIN).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    // Another agent of the same kind ends the orphaned run once the heartbeat is stale.
    gantry.startAgent(LocalGantry.quickOptions("survivor"));
    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message()).contains("stopped renewing its lease");
  }
}
