package dev.gantry.supervision;

import static dev.gantry.supervision.TaskFixture.BEAT;
import static dev.gantry.supervision.TaskFixture.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatTest {
  @TempDir Path home;
  private TaskFixture fx;
  private Heartbeat heartbeat;

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
                "scripted",
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
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void renewsTheAgentsRowAndKeepsTheRunsItStillHolds() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("kept", 0)));
    fx.clock.advance(BEAT);

    heartbeat.runOnce();

    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
    AgentInfo row = fx.backend.agents().find(fx.agent.id()).orElseThrow();
    assertThat(row.heartbeatAt()).isAfterOrEqualTo(fx.clock.instant().minusMillis(1));
    assertThat(row.running()).isEqualTo(1);
  }

  @Test
  void letsGoOfARunAnotherAgentAdopted() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("taken", 0)));
    assertThat(
            fx.backend
                .runs()
                .adopt(run.run().fence(), "agent-2", "adopted", fx.clock.instant().plus(LEASE)))
        .isPresent();

    heartbeat.runOnce();

    assertThat(fx.supervised.activeIds()).isEmpty();
  }

  @Test
  void isSteadyOnlyAfterAWholeLeaseOfBeatsOnTheClock() {
    Instant start = fx.clock.instant();
    assertThat(heartbeat.steadyForALease(start)).isFalse();

    for (Duration at = BEAT; at.compareTo(LEASE) <= 0; at = at.plus(BEAT)) {
      fx.clock.advance(BEAT);
      heartbeat.runOnce();
    }
    assertThat(heartbeat.steadyForALease(fx.clock.instant())).isTrue();
    // Three beats missed: the reaper must not judge others from a stale view.
    assertThat(
            heartbeat.steadyForALease(fx.clock.instant().plus(BEAT.multipliedBy(3)).plusMillis(1)))
        .isFalse();
  }

  @Test
  void aFailedBeatIsContainedAndStartsTheStreakOver() {
    fx.clock.advance(LEASE);
    heartbeat.runOnce();
    assertThat(heartbeat.steadyForALease(fx.clock.instant())).isTrue();

    fx.failNext(1);
    heartbeat.runGuarded(); // logs one line, does not throw

    assertThat(heartbeat.steadyForALease(fx.clock.instant())).isFalse();
    fx.clock.advance(BEAT);
    heartbeat.runGuarded();
    assertThat(heartbeat.steadyForALease(fx.clock.instant())).isFalse();
    fx.clock.advance(LEASE);
    heartbeat.runOnce();
    assertThat(heartbeat.steadyForALease(fx.clock.instant())).isTrue();
  }

  @Test
  void keepsARunNoLongerLeasedButStillItsOwnWhileItsEndIsRecorded() {
    FlowRun claimed = fx.superviseClaimed(fx.create(fx.register("ending", 0))).run();
    fx.backend.runs().transition(claimed.fence(), dev.gantry.domain.RunState.Success, null);

    heartbeat.runOnce();

    assertThat(fx.supervised.activeIds()).containsExactly(claimed.id());
  }
}
