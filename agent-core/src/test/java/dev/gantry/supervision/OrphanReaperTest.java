package dev.gantry.supervision;

import static dev.gantry.supervision.TaskFixture.BEAT;
import static dev.gantry.supervision.TaskFixture.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanReaperTest {
  @TempDir Path home;
  private TaskFixture fx;
  private Heartbeat heartbeat;
  private OrphanReaper reaper;
  private FlowRun orphan;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    Instant now = fx.clock.instant();
    fx.backend
        .agents()
        .register(
            new AgentInfo(
                fx.agent.id(),
                fx.agent.name(),
                ScriptedLauncher.KIND,
                "host",
                Set.of(),
                4,
                0,
                now,
                now,
                null));
    heartbeat =
        new Heartbeat(
            fx.runs, fx.backend.agents(), fx.supervised, fx.agent.id(), BEAT, LEASE, fx.clock);
    heartbeat.registered(now);
    reaper =
        new OrphanReaper(
            fx.runs,
            fx.backend.agents(),
            ScriptedLauncher.KIND,
            fx.supervised,
            heartbeat,
            fx.takeover,
            fx.agent,
            fx.clock);
    // Claimed by an agent that is not recorded (gone) with a lease from now.
    orphan = fx.claimAs("agent-gone", fx.create(fx.register("orphan", 0)));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void leavesALeaseAloneWhileItHasNotExpired() {
    beatFor(LEASE.plus(BEAT));
    FlowRun fresh = fx.claimAs("agent-gone", fx.create(fx.register("fresh", 0)));
    fx.clock.advance(LEASE.minus(BEAT.multipliedBy(2)));
    heartbeat.runOnce();

    reaper.runOnce();

    assertThat(fx.find(fresh).agentId()).isEqualTo("agent-gone");
    assertThat(fx.state(orphan)).isEqualTo(RunState.Scheduled);
  }

  @Test
  void adoptsARunWhoseLeaseExpiredAndReattachesToItsInfrastructure() {
    fx.launcher.findable(orphan.id(), orphan.attempt());
    beatFor(LEASE.plus(BEAT));

    reaper.runOnce();

    FlowRun adopted = fx.find(orphan);
    assertThat(adopted.agentId()).isEqualTo(fx.agent.id());
    assertThat(adopted.attempt()).isEqualTo(orphan.attempt());
    assertThat(fx.supervised.activeIds()).containsExactly(orphan.id());
  }

  @Test
  void schedulesAgainAnAdoptedRunThatNeverStartedAndHasNoInfrastructure() {
    beatFor(LEASE.plus(BEAT));

    reaper.runOnce();

    FlowRun again = fx.find(orphan);
    assertThat(again.state()).isEqualTo(RunState.Scheduled);
    assertThat(again.message()).contains("agent agent-gone stopped renewing its lease");
    assertThat(fx.supervised.activeIds()).isEmpty();
  }

  @Test
  void aRunningOrphanWithoutInfrastructureEndsCrashedAndNoneOfItsTasksStaysOpen() {
    fx.runs.transition(orphan.fence(), RunState.Running, null);
    openTasks(orphan);
    beatFor(LEASE.plus(BEAT));

    reaper.runOnce();

    assertThat(fx.state(orphan)).isEqualTo(RunState.Crashed);
    assertThat(fx.runs.taskRuns(orphan.id()))
        .allSatisfy(
            t -> {
              assertThat(t.state()).isEqualTo(TaskState.FAILED);
              assertThat(t.endedAt()).isNotNull();
              assertThat(t.message())
                  .startsWith("run crashed")
                  .contains("agent agent-gone stopped renewing its lease")
                  .contains("its infrastructure is gone");
            })
        .hasSize(2);
  }

  @Test
  void aCancellingOrphanWithoutInfrastructureEndsCancelledWithItsTasksCancelled() {
    fx.runs.transition(orphan.fence(), RunState.Running, null);
    openTasks(orphan);
    fx.runs.requestCancel(orphan.id(), "stop");
    beatFor(LEASE.plus(BEAT));

    reaper.runOnce();

    assertThat(fx.state(orphan)).isEqualTo(RunState.Cancelled);
    assertThat(fx.runs.taskRuns(orphan.id()))
        .extracting(TaskRun::state)
        .containsExactly(TaskState.CANCELLED, TaskState.CANCELLED);
    assertThat(fx.runs.taskRuns(orphan.id()).get(0).message()).startsWith("run cancelled");
  }

  private void openTasks(FlowRun run) {
    Instant at = fx.clock.instant();
    fx.runs.recordTaskState(
        run.fence(), new TaskStateUpdate("busy", TaskState.RUNNING, 1, at, null));
    fx.runs.recordTaskState(
        run.fence(), new TaskStateUpdate("next", TaskState.PENDING, 1, at, null));
  }

  @Test
  void doesNotJudgeOthersWhileItsOwnHeartbeatIsStale() {
    fx.clock.advance(LEASE.plus(BEAT)); // no beat meanwhile: this agent may have been cut off

    reaper.runOnce();

    assertThat(fx.find(orphan).agentId()).isEqualTo("agent-gone");
  }

  @Test
  void aFailingPassIsContainedAndTheNextOneAdopts() {
    fx.launcher.findable(orphan.id(), orphan.attempt());
    beatFor(LEASE.plus(BEAT));
    fx.failNext(1);

    reaper.runGuarded();
    assertThat(fx.find(orphan).agentId()).isEqualTo("agent-gone");
    reaper.runGuarded();

    assertThat(fx.find(orphan).agentId()).isEqualTo(fx.agent.id());
  }

  /** Moves the clock on by {@code total}, beating every heartbeat interval. */
  private void beatFor(Duration total) {
    for (Duration at = BEAT; at.compareTo(total) <= 0; at = at.plus(BEAT)) {
      fx.clock.advance(BEAT);
      heartbeat.runOnce();
    }
  }
}
