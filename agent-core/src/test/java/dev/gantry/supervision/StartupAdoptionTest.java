package dev.gantry.supervision;

import static dev.gantry.supervision.TaskFixture.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.launch.Infrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupAdoptionTest {
  @TempDir Path home;
  private TaskFixture fx;
  private StartupAdoption adoption;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    adoption =
        new StartupAdoption(
            fx.runs,
            fx.backend.agents(),
            fx.launcher,
            fx.supervised,
            fx.takeover,
            fx.agent,
            LEASE,
            fx.clock);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void reattachesInfrastructureWhoseAgentStoppedHeartbeating() {
    FlowRun run = leftBy("agent-old", "old", fx.clock.instant().minus(LEASE).minusSeconds(1));

    adoption.runOnce();

    assertThat(fx.find(run).agentId()).isEqualTo(fx.agent.id());
    assertThat(fx.supervised.activeIds()).containsExactly(run.id());
  }

  @Test
  void reattachesTheInfrastructureOfItsOwnPreviousProcessAtOnce() {
    FlowRun run = leftBy("agent-previous", fx.agent.name(), fx.clock.instant());

    adoption.runOnce();

    assertThat(fx.find(run).agentId()).isEqualTo(fx.agent.id());
  }

  @Test
  void leavesTheInfrastructureOfALiveAgentAlone() {
    FlowRun run = leftBy("agent-live", "live", fx.clock.instant().minus(Duration.ofSeconds(5)));

    adoption.runOnce();

    assertThat(fx.find(run).agentId()).isEqualTo("agent-live");
    assertThat(fx.supervised.activeIds()).isEmpty();
  }

  @Test
  void aRunThatCannotBeAdoptedIsSkipped() {
    FlowRun first = leftBy("agent-old", "old", fx.clock.instant().minus(LEASE).minusSeconds(1));
    FlowRun second = leftBy("agent-old2", "old2", fx.clock.instant().minus(LEASE).minusSeconds(1));
    fx.failNext(1); // the first lookup fails

    adoption.runOnce();

    assertThat(fx.find(first).agentId()).isEqualTo("agent-old");
    assertThat(fx.find(second).agentId()).isEqualTo(fx.agent.id());
  }

  /** A run claimed by an agent whose last heartbeat was at {@code beat}, still running. */
  private FlowRun leftBy(String agentId, String name, Instant beat) {
    fx.backend
        .agents()
        .register(
            new AgentInfo(
                agentId, name, ScriptedLauncher.KIND, "host", Set.of(), 4, 1, beat, beat, null));
    FlowRun run = fx.claimAs(agentId, fx.create(fx.register("left-" + agentId, 0)));
    fx.launcher.discoverable(
        new Infrastructure("c-" + run.id(), run.id(), run.attempt(), agentId, true));
    fx.launcher.findable(run.id(), run.attempt());
    return run;
  }
}
