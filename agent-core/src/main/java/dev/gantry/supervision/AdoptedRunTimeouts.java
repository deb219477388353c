package dev.gantry.supervision;

import dev.gantry.backend.FlowStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.RunExecution;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The run timeout of a run this agent takes over: the agent that launched it armed the deadline and
 * is gone with it, so the new one arms it again from the run's {@code startedAt} (a run already
 * past it is stopped at once and ends timed out).
 */
public final class AdoptedRunTimeouts {
  /** For an agent whose launcher enforces no timeouts. */
  public static final AdoptedRunTimeouts NONE = new AdoptedRunTimeouts(null, null, null);

  private final FlowStore flows;
  private final BoundedLauncher launcher;
  private final Clock clock;

  public AdoptedRunTimeouts(FlowStore flows, BoundedLauncher launcher, Clock clock) {
    this.flows = flows;
    this.launcher = launcher;
    this.clock = clock;
  }

  /** The execution held to the run's timeout, or as it is when its flow version sets none. */
  RunExecution hold(FlowRun run, RunExecution execution) {
    if (launcher == null) {
      return execution;
    }
    Optional<Duration> timeout = flows.find(run.flowId()).flatMap(f -> f.runConfig().runTimeout());
    return timeout.isEmpty()
        ? execution
        : launcher.holdToTimeout(execution, timeout.get(), run.startedAt(), clock.instant());
  }
}
