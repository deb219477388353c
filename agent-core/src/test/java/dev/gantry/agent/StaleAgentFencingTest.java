package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.PostgresSchema;
import dev.gantry.testing.ScriptedPlatform;
import dev.gantry.testing.ScriptedPlatform.Container;
import dev.gantry.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Agent A loses the database while its run goes on (its network to PostgreSQL is cut); its lease
 * expires and agent B adopts the run, re-attaching to its container. When A is back, everything A
 * writes about the run is refused: B alone records its logs and its end.
 */
class StaleAgentFencingTest {
  private static final Duration LEASE = Duration.ofSeconds(2);

  private PostgresSchema schema;
  private TcpProxy proxy;
  private JdbcBackend backendA;
  private JdbcBackend backendB;
  private final ScriptedPlatform platform = new ScriptedPlatform();
  private Agent agentA;
  private Agent agentB;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create();
    proxy = TcpProxy.toServerOf(schema.url());
    backendA = JdbcBackend.open(proxy.route(schema.url()));
    backendB = JdbcBackend.open(schema.url());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.restore();
    for (Agent agent : new Agent[] {agentA, agentB}) {
      if (agent != null) {
        agent.stop();
      }
    }
    backendA.close();
    backendB.close();
    proxy.close();
    schema.close();
  }

  @Test
  void aStaleAgentsLateWritesAreRefusedAfterAnotherAgentAdoptedItsRun() throws Exception {
    RegisteredFlow flow = backendB.flows().register(PostgresDispatchTest.noopFlow());
    agentA = startAgent(backendA, "agent-a");
    FlowRun run = backendB.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
    Container container = platform.awaitContainer(run.id(), 1);
    container.reportRunning();
    container.log("before the cut");
    awaitRun(run, r -> r.state() == RunState.Running);
    RunFence staleFence = new RunFence(run.id(), 1, agentA.id());
    agentB = startAgent(backendB, "agent-b");

    proxy.cut();
    await()
        .atMost(LEASE.multipliedBy(4))
        .until(() -> agentB.id().equals(find(run).agentId()) && container.followers() == 2);
    proxy.restore();
    container.log("after the adoption");
    container.succeed();

    FlowRun done = awaitRun(run, r -> r.state().isTerminal());
    assertThat(done.state()).isEqualTo(RunState.Success);
    assertThat(done.agentId()).isEqualTo(agentB.id());
    assertThat(done.attempt()).isEqualTo(1);
    List<StateChange> history = backendB.runs().history(run.id());
    assertThat(history)
        .extracting(StateChange::state)
        .containsExactly(
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Running,
            RunState.Running,
            RunState.Success);
    assertThat(history.get(3).agentId()).isEqualTo(agentB.id());
    assertThat(history.get(3).message()).contains("adopted by agent agent-b").contains("lease");
    assertThat(history.get(4).agentId()).isEqualTo(agentB.id());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        backendB.runs().logs(run.id(), 0, 100).stream()
                            .map(LogRecord::message)
                            .filter(m -> m.equals("after the adoption")))
                    .hasSize(1));
    // A, connected again, learns from its heartbeat that the run is no longer its own.
    await().atMost(Duration.ofSeconds(10)).until(() -> !agentA.activeRunIds().contains(run.id()));
    assertThat(backendA.runs().appendLogs(staleFence, List.of(line("late line from A")))).isFalse();
    assertThat(backendA.runs().transition(staleFence, RunState.Failed, "late")).isFalse();
    assertThat(backendA.runs().rescheduleAfterCrash(staleFence, "late")).isEmpty();
    assertThat(backendB.runs().history(run.id())).isEqualTo(history);
    assertThat(backendB.runs().logs(run.id(), 0, 100))
        .extracting(LogRecord::message)
        .doesNotContain("late line from A");
  }

  private Agent startAgent(JdbcBackend backend, String name) {
    Agent agent =
        new Agent(
            backend,
            platform.launcher(),
            AgentOptions.defaults(name, Set.of())
                .withPollInterval(Duration.ofMillis(100))
                .withHeartbeat(Duration.ofMillis(200), LEASE),
            SecretSource.NONE);
    agent.start();
    return agent;
  }

  private FlowRun find(FlowRun run) {
    return backendB.runs().find(run.id()).orElseThrow();
  }

  private FlowRun awaitRun(FlowRun run, java.util.function.Predicate<FlowRun> condition) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> condition.test(find(run)));
    return find(run);
  }

  private static LogRecord line(String message) {
    return new LogRecord(0, null, Instant.now(), "INFO", "stdout", null, message);
  }
}
