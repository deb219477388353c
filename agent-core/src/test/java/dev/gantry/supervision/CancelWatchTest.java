package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CancelWatchTest {
  @TempDir Path home;
  private TaskFixture fx;
  private CancelWatch watch;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    watch =
        new CancelWatch(fx.runs, fx.supervised, fx.launcher, fx.agent.id(), Duration.ofSeconds(10));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void stopsTheInfrastructureOfASupervisedRunOnce() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("cancelled", 0)));
    fx.backend.runs().requestCancel(run.id(), "by test");

    watch.runOnce();
    watch.runOnce();

    assertThat(fx.launcher.cancels).containsExactly(run.id());
    assertThat(fx.state(run.run())).isEqualTo(RunState.Cancelling);
  }

  @Test
  void endsCancelledARunItDoesNotSupervise() {
    FlowRun run = fx.claimAs(fx.agent.id(), fx.create(fx.register("unsupervised", 0)));
    fx.backend.runs().transition(run.fence(), RunState.Running, null);
    fx.backend
        .runs()
        .recordTaskState(
            run.fence(),
            new TaskStateUpdate("busy", TaskState.RUNNING, 1, fx.clock.instant(), null));
    fx.backend.runs().requestCancel(run.id(), "by test");

    watch.runOnce();

    assertThat(fx.state(run)).isEqualTo(RunState.Cancelled);
    assertThat(fx.launcher.cancels).isEmpty();
    // Its task, which no supervised run can close, ends with it.
    TaskRun busy = fx.backend.runs().taskRuns(run.id()).get(0);
    assertThat(busy.state()).isEqualTo(TaskState.CANCELLED);
    assertThat(busy.message())
        .isEqualTo("run cancelled: cancelled by request (the task was RUNNING)");
  }

  @Test
  void leavesARunBeingLaunchedForTheNextPass() {
    FlowRun created = fx.create(fx.register("launching", 0));
    List<FlowRun> claimed =
        fx.supervised.claim(
            () ->
                fx.backend
                    .runs()
                    .claimDue(
                        fx.agent.id(),
                        fx.agent.labels(),
                        1,
                        fx.clock.instant(),
                        TaskFixture.LEASE));
    fx.backend.runs().requestCancel(created.id(), "by test");

    watch.runOnce();

    assertThat(claimed).hasSize(1);
    assertThat(fx.state(created)).isEqualTo(RunState.Cancelling);
  }

  @Test
  void aFailingPassIsContainedAndTheNextOneEnforces() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("retried", 0)));
    fx.backend.runs().requestCancel(run.id(), "by test");
    fx.failNext(1);

    watch.runGuarded();
    assertThat(fx.launcher.cancels).isEmpty();
    watch.runGuarded();

    assertThat(fx.launcher.cancels).containsExactly(run.id());
  }
}
