package dev.gantry.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.supervision.SecretSource;
import dev.gantry.supervision.TaskFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaimLoopTest {
  @TempDir Path home;
  private TaskFixture fx;
  private ClaimLoop loop;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    Dispatcher dispatcher =
        new Dispatcher(
            fx.runs,
            fx.launcher,
            new LaunchPlanner(fx.backend.flows(), SecretSource.NONE, fx.agent.id()),
            fx.supervised,
            fx.ends);
    loop =
        new ClaimLoop(
            fx.runs,
            fx.supervised,
            dispatcher,
            fx.agent,
            2,
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            TaskFixture.LEASE,
            fx.clock);
  }

  @AfterEach
  void tearDown() {
    loop.stop();
    fx.close();
  }

  @Test
  void claimsOnlyForFreeSlotsAndAgainWhenOneIsFreed() {
    RegisteredFlow flow = fx.register("slots", 0);
    List<FlowRun> runs = List.of(fx.create(flow), fx.create(flow), fx.create(flow));

    assertThat(loop.claimOnce()).isEqualTo(2);
    assertThat(loop.claimOnce()).isZero();
    assertThat(fx.supervised.activeIds()).hasSize(2);
    FlowRun waiting =
        runs.stream().filter(r -> fx.state(r) == RunState.Scheduled).findFirst().orElseThrow();
    String ending = fx.supervised.activeIds().iterator().next();

    fx.launcher.launched(ending).exit(137); // ends Crashed, freeing its slot

    assertThat(loop.claimOnce()).isEqualTo(1);
    assertThat(fx.supervised.activeIds()).hasSize(2).contains(waiting.id()).doesNotContain(ending);
  }

  @Test
  void claimsARunOnlyWhenItIsDueOnTheClock() {
    RegisteredFlow flow = fx.register("later", 0);
    FlowRun later =
        fx.backend
            .runs()
            .create(
                new NewRun(
                    flow.id(), Set.of(), Map.of(), fx.clock.instant().plus(Duration.ofMinutes(1))));

    assertThat(loop.claimOnce()).isZero();
    assertThat(loop.lastPoll()).isEqualTo(fx.clock.instant());
    fx.clock.advance(Duration.ofMinutes(1));

    assertThat(loop.claimOnce()).isEqualTo(1);
    assertThat(fx.launcher.launched(later.id())).isNotNull();
  }

  @Test
  void aFailedPollThrowsAndIsNotCountedAsAPoll() {
    fx.failNext(1);

    assertThatThrownBy(loop::claimOnce).hasMessageContaining("does not answer");
    assertThat(loop.lastPoll()).isNull();
  }

  @Test
  void theLoopBacksOffWhileTheDatabaseFailsThenClaims() {
    FlowRun run = fx.create(fx.register("after-outage", 0));
    fx.failNext(3);

    loop.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> fx.launcher.launched(run.id()) != null);
    assertThat(loop.isRunning()).isTrue();
    loop.stop();
    assertThat(loop.isRunning()).isFalse();
  }
}
