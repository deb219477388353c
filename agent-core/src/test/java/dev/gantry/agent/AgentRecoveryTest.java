package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.launch.Infrastructure;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.ScriptedPlatform;
import dev.gantry.testing.ScriptedPlatform.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an agent recovers runs whose infrastructure failed or went astray: infrastructure retries,
 * and reconciliation both ways (leftover infrastructure removed, unsupervised runs re-attached or
 * ended). On the embedded H2 backend with a scripted platform.
 */
class AgentRecoveryTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);

  @TempDir Path home;
  private JdbcBackend backend;
  private final ScriptedPlatform platform = new ScriptedPlatform();
  private Agent agent;

  @BeforeEach
  void startAgent() {
    backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
    agent =
        new Agent(
            backend,
            platform.launcher(),
            AgentOptions.defaults("recovery", Set.of())
                .withPollInterval(Duration.ofMillis(100))
                .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(1)),
            SecretSource.NONE);
    agent.start();
  }

  @AfterEach
  void stop() {
    agent.stop();
    backend.close();
  }

  // ------------------------------------------------------------------ infrastructure retries

  @Test
  void aRunKilledOutsideItsFlowIsScheduledAgainWhileTheBudgetLastsThenSucceeds() {
    FlowRun run = create(register("retried", 1), Set.of());

    Container first = platform.awaitContainer(run.id(), 1);
    first.reportRunning();
    awaitState(run, RunState.Running);
    first.die(137);
    Container second = platform.awaitContainer(run.id(), 2);
    second.reportRunning();
    second.succeed();

    FlowRun done = awaitEnd(run);
    assertThat(done.state()).isEqualTo(RunState.Success);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state, StateChange::attempt)
        .containsExactly(
            tuple(RunState.Scheduled, 0),
            tuple(RunState.Submitted, 1),
            tuple(RunState.Running, 1),
            tuple(RunState.Crashed, 1),
            tuple(RunState.Scheduled, 1),
            tuple(RunState.Submitted, 2),
            tuple(RunState.Running, 2),
            tuple(RunState.Success, 2));
    assertThat(backend.runs().history(run.id()).get(3).message()).contains("exit code 137");
    assertThat(backend.runs().history(run.id()).get(4).message())
        .contains("infrastructure retry 1 of 1");
  }

  @Test
  void whenTheBudgetIsSpentTheRunEndsCrashed() {
    FlowRun run = create(register("once", 1), Set.of());
    platform.awaitContainer(run.id(), 1).die(137);
    platform.awaitContainer(run.id(), 2);
    platform.vanish(run.id(), 2);

    FlowRun done = awaitEnd(run);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.message()).contains("before reporting a result");
  }

  @Test
  void aRunWithoutBudgetEndsCrashedAtOnce() {
    FlowRun run = create(register("plain", 0), Set.of());
    platform.awaitContainer(run.id(), 1).die(137);

    FlowRun done = awaitEnd(run);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.message()).contains("exit code 137").contains("SIGKILL");
  }

  @Test
  void aFailedFlowNeverUsesTheInfrastructureBudget() {
    FlowRun run = create(register("failing", 3), Set.of());
    platform.awaitContainer(run.id(), 1).fail("the warehouse is on fire");

    FlowRun done = awaitEnd(run);
    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state)
        .doesNotContain(RunState.Crashed);
  }

  // ---------------------------------------------------------------------------- reconciliation

  @Test
  void infrastructureOfEndedRunsAndOlderAttemptsIsRemovedAndTheCurrentOneKept() {
    RegisteredFlow flow = register("elsewhere", 0);
    // Runs this agent's labels do not cover, driven by another agent.
    FlowRun ended = create(flow, Set.of("elsewhere"));
    FlowRun ongoing = create(flow, Set.of("elsewhere"));
    FlowRun endedRun = claimAs("other", ended);
    backend.runs().transition(endedRun.fence(), RunState.Running, null);
    backend.runs().transition(endedRun.fence(), RunState.Success, null);
    FlowRun firstAttempt = claimAs("other", ongoing);
    backend.runs().transition(firstAttempt.fence(), RunState.Scheduled, "image pull failed");
    claimAs("other", ongoing);

    platform.place(ended.id(), 1, "other");
    platform.place(ongoing.id(), 1, "other");
    Container current = platform.place(ongoing.id(), 2, "other");

    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                assertThat(platform.removed())
                    .extracting(Infrastructure::runId, Infrastructure::attempt)
                    .containsExactlyInAnyOrder(tuple(ended.id(), 1), tuple(ongoing.id(), 1)));
    assertThat(current.exited()).isFalse();
    assertThat(backend.runs().find(ongoing.id()).orElseThrow().state())
        .isEqualTo(RunState.Submitted);
  }

  @Test
  void aRunOfThisAgentThatItDoesNotSuperviseIsReattachedOrEndedWhenItsInfrastructureIsGone() {
    RegisteredFlow flow = register("astray", 0);
    FlowRun gone = claimAs(agent.id(), create(flow, Set.of("astray")));
    backend.runs().transition(gone.fence(), RunState.Running, null);
    FlowRun neverStarted = claimAs(agent.id(), create(flow, Set.of("astray")));
    FlowRun scheduled = create(flow, Set.of("astray"));
    // Its container exists before the claim, so the reconciler never sees the run without it.
    Container container = platform.place(scheduled.id(), 1, agent.id());
    FlowRun alive = claimAs(agent.id(), scheduled);

    await().atMost(WITHIN).until(() -> container.followers() == 1);
    container.reportRunning();
    container.succeed();

    FlowRun crashed = awaitEnd(gone);
    assertThat(crashed.state()).isEqualTo(RunState.Crashed);
    assertThat(crashed.message())
        .contains("no longer supervised the run")
        .contains("its infrastructure is gone");
    assertThat(awaitEnd(alive).state()).isEqualTo(RunState.Success);
    // Claimed but never started (a claim whose commit its agent did not see): scheduled again.
    awaitState(neverStarted, RunState.Scheduled);
    FlowRun again = backend.runs().find(neverStarted.id()).orElseThrow();
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.message()).contains("before run " + again.id() + " started; scheduled again");
    assertThat(claimAs("other", again).attempt()).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------- helpers

  private RegisteredFlow register(String name, int infrastructureRetries) {
    return backend
        .flows()
        .register(
            new NewFlowVersion(
                name,
                BundleFormat.module,
                "module:com.acme.Flows#" + name,
                null,
                "com.acme.Flows#" + name,
                null,
                List.of(),
                Set.of(),
                List.of(),
                RunPolicy.DEFAULT.withInfrastructureRetries(infrastructureRetries),
                null));
  }

  private FlowRun create(RegisteredFlow flow, Set<String> labels) {
    return backend.runs().create(new NewRun(flow.id(), labels, Map.of(), Instant.now()));
  }

  /** Claims the run as {@code agentId}, as another agent (or this one, unaware) would. */
  private FlowRun claimAs(String agentId, FlowRun run) {
    List<FlowRun> claimed = backend.runs().claimDue(agentId, run.labels(), 1, Instant.now());
    assertThat(claimed).extracting(FlowRun::id).containsExactly(run.id());
    return claimed.get(0);
  }

  private void awaitState(FlowRun run, RunState state) {
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> backend.runs().find(run.id()).orElseThrow().state() == state);
  }

  private FlowRun awaitEnd(FlowRun run) {
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> backend.runs().find(run.id()).orElseThrow().state().isTerminal());
    return backend.runs().find(run.id()).orElseThrow();
  }
}
