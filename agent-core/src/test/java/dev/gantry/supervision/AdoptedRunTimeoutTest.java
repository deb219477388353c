package dev.gantry.supervision;

import static dev.gantry.supervision.TaskFixture.LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchPolicy;
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
 * A run adopted from an agent that is gone still gets its run timeout, counted from the run's
 * {@code startedAt}, not from the adoption: the deadline the first agent armed died with it.
 */
class AdoptedRunTimeoutTest {
  @TempDir Path home;
  private TaskFixture fx;
  private BoundedLauncher bounded;
  private RunTakeover takeover;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
    bounded = new BoundedLauncher(fx.launcher, LaunchPolicy.DEFAULT, Duration.ofSeconds(1));
    takeover =
        new RunTakeover(
            fx.runs,
            bounded,
            fx.supervised,
            fx.ends,
            new RunSecrets(fx.backend.flows(), SecretSource.NONE),
            fx.agent,
            LEASE,
            fx.clock,
            new AdoptedRunTimeouts(fx.backend.flows(), bounded, fx.clock));
  }

  @AfterEach
  void tearDown() {
    bounded.close();
    fx.close();
  }

  /** A run of a flow with this run timeout, Running since {@code startedAgo} under agent-old. */
  private FlowRun runningSince(String timeout, Duration startedAgo) {
    RegisteredFlow flow =
        fx.backend
            .flows()
            .register(
                new NewFlowVersion(
                        "timed",
                        BundleFormat.module,
                        "module:com.acme.Flows#timed",
                        null,
                        "com.acme.Flows#timed",
                        null,
                        List.of(),
                        Set.of(),
                        List.of())
                    .withRunConfig(RunConfig.of(Map.of("run-timeout", timeout), Map.of())));
    Instant started =
        fx.clock.instant().minus(startedAgo).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fx.backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), started.minusSeconds(1)));
    FlowRun claimed =
        fx.backend.runs().claimDue("agent-old", Set.of(), 1, started.minusSeconds(1), LEASE).get(0);
    assertThat(fx.backend.runs().transition(claimed.fence(), RunState.Running, "started", started))
        .isTrue();
    FlowRun running = fx.find(claimed);
    assertThat(running.startedAt()).isEqualTo(started);
    return running;
  }

  @Test
  void aRunAlreadyPastItsTimeoutWhenAdoptedIsStoppedAtOnceAndEndsTimedOut() {
    FlowRun run = runningSince("10m", Duration.ofHours(1));
    ScriptedLauncher.Execution execution = fx.launcher.findable(run.id(), run.attempt());

    takeover.adopt(run, "agent old is gone");

    await().atMost(Duration.ofSeconds(10)).until(() -> fx.launcher.cancels.contains(run.id()));
    execution.exit(143);
    await().atMost(Duration.ofSeconds(10)).until(() -> fx.state(run).isTerminal());
    FlowRun done = fx.find(run);
    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .isEqualTo(
            "run "
                + run.id()
                + " timed out after its run timeout of 10m and was stopped (exit code 143)");
  }

  @Test
  void theDeadlineIsCountedFromTheRunsStartNotFromTheAdoption() {
    // Started 1 h - 5 s ago with a 1 h timeout: 5 s are left, not another hour.
    FlowRun run = runningSince("1h", Duration.ofHours(1).minusSeconds(5));
    ScriptedLauncher.Execution execution = fx.launcher.findable(run.id(), run.attempt());

    takeover.adopt(run, "agent old is gone");

    assertThat(fx.launcher.cancels).as("not stopped before its deadline").isEmpty();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> fx.launcher.cancels.contains(run.id()));
    execution.exit(143);
    await().atMost(Duration.ofSeconds(10)).until(() -> fx.state(run).isTerminal());
    assertThat(fx.find(run).message()).contains("timed out after its run timeout of 1h");
  }

  @Test
  void aRunEndingBeforeItsDeadlineIsNotStopped() {
    FlowRun run = runningSince("1h", Duration.ZERO);
    ScriptedLauncher.Execution execution = fx.launcher.findable(run.id(), run.attempt());

    takeover.adopt(run, "agent old is gone");
    execution.exit(0);

    await().atMost(Duration.ofSeconds(10)).until(() -> fx.state(run).isTerminal());
    assertThat(fx.launcher.cancels).isEmpty();
    assertThat(fx.find(run).message()).doesNotContain("timed out");
  }
}
