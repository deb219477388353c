package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Infrastructure;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconcilerTest {
  @TempDir Path home;
  private TaskFixture fx;
  private Reconciler reconciler;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    reconciler = new Reconciler(fx.runs, fx.launcher, fx.supervised, fx.takeover, fx.agent);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void removesTheInfrastructureOfAnEndedRunAndKeepsALiveOnes() {
    SupervisedRun ended = fx.superviseClaimed(fx.create(fx.register("ended", 0)));
    fx.backend.runs().transition(ended.run().fence(), RunState.Success, null);
    fx.supervised.release(ended);
    SupervisedRun live = fx.superviseClaimed(fx.create(fx.register("live", 0)));
    Infrastructure leftover = infrastructureOf(ended.run());
    Infrastructure needed = infrastructureOf(live.run());
    fx.launcher.discoverable(leftover);
    fx.launcher.discoverable(needed);

    reconciler.runOnce();

    assertThat(fx.launcher.removals).containsExactly(leftover);
  }

  @Test
  void endsARunOfItsOwnWhoseInfrastructureIsGone() {
    FlowRun run = fx.claimAs(fx.agent.id(), fx.create(fx.register("vanished", 0)));
    fx.backend.runs().transition(run.fence(), RunState.Running, null);

    reconciler.runOnce();

    FlowRun crashed = fx.find(run);
    assertThat(crashed.state()).isEqualTo(RunState.Crashed);
    assertThat(crashed.message())
        .contains("no longer supervised the run")
        .contains("its infrastructure is gone");
  }

  @Test
  void reattachesARunOfItsOwnItNoLongerSupervised() {
    FlowRun run = fx.claimAs(fx.agent.id(), fx.create(fx.register("found", 0)));
    fx.launcher.findable(run.id(), run.attempt());

    reconciler.runOnce();

    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
    assertThat(fx.state(run)).isEqualTo(RunState.Submitted);
  }

  @Test
  void aFailingPassIsContainedAndTheNextOneReconciles() {
    FlowRun run = fx.claimAs(fx.agent.id(), fx.create(fx.register("later", 0)));
    fx.launcher.findable(run.id(), run.attempt());
    fx.failNext(1);

    reconciler.runGuarded();
    reconciler.runGuarded();

    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
  }

  @Test
  void namesWhyInfrastructureIsLeftOver() {
    FlowRun run = fx.claimAs(fx.agent.id(), fx.create(fx.register("reasons", 0)));
    assertThat(Reconciler.leftoverReason(run, infrastructureOf(run))).isNull();
    Infrastructure older =
        new Infrastructure("old", run.id(), run.attempt() - 1, fx.agent.id(), true);
    assertThat(Reconciler.leftoverReason(run, older)).contains("at attempt " + run.attempt());
  }

  private Infrastructure infrastructureOf(FlowRun run) {
    return new Infrastructure("c-" + run.id(), run.id(), run.attempt(), run.agentId(), true);
  }
}
