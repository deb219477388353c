package dev.gantry.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.supervision.SecretSource;
import dev.gantry.supervision.TaskFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherTest {
  @TempDir Path home;
  private TaskFixture fx;
  private Dispatcher dispatcher;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    dispatcher =
        new Dispatcher(
            fx.runs,
            fx.launcher,
            new LaunchPlanner(fx.backend.flows(), SecretSource.NONE, fx.agent.id()),
            fx.supervised,
            fx.ends);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void aLaunchedRunIsSupervisedUntilItsInfrastructureEnds() {
    FlowRun run = claim("launched");

    dispatcher.launch(run);

    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
    assertThat(fx.supervised.isLaunching(run.id())).isFalse();
    fx.launcher.launched(run.id()).exit(137);
    assertThat(fx.supervised.activeIds()).isEmpty();
    assertThat(fx.state(run)).isEqualTo(RunState.Crashed);
  }

  @Test
  void aRunThatCannotBeLaunchedEndsWithTheReasonInItsLogs() {
    FlowRun run = claim("unlaunchable");
    fx.launcher.failNextLaunch(
        new LaunchException("image acme/missing does not exist", RunState.Failed, "Image", null));

    dispatcher.launch(run);

    FlowRun failed = fx.find(run);
    assertThat(failed.state()).isEqualTo(RunState.Failed);
    assertThat(failed.message()).contains("image acme/missing does not exist");
    List<LogRecord> logs = fx.backend.runs().logs(run.id(), 0, 10);
    assertThat(logs).extracting(LogRecord::level).containsExactly("ERROR");
    assertThat(fx.supervised.isSupervised(run.id())).isFalse();
  }

  private FlowRun claim(String flow) {
    fx.create(fx.register(flow, 0));
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
    assertThat(claimed).hasSize(1);
    return claimed.get(0);
  }
}
