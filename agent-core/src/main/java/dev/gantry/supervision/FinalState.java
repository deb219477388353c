package dev.gantry.supervision;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.ExitReport;
import java.time.Duration;

/**
 * The state a run ends in, from what the bootstrap reported and how its infrastructure ended.
 * Crashed always means the infrastructure failed outside flow code (killed, OOM, vanished, the
 * agent lost or stopping): such an outcome uses the flow's infrastructure-retry budget.
 */
public record FinalState(RunState state, String message) {

  /** Whether the run ended because its infrastructure failed, not because of its flow. */
  public boolean isInfrastructureFailure() {
    return state == RunState.Crashed;
  }

  /**
   * @param agentName the supervising agent's name, for the message when it stops
   * @param gracePeriod how long the stopping agent waited, for the same message
   */
  public static FinalState decide(
      FlowRun run,
      RunState current,
      RunReporter reporter,
      ExitReport exit,
      boolean agentStopping,
      String agentName,
      Duration gracePeriod) {
    String result = reporter.resultState();
    if ("Success".equals(result)) {
      return new FinalState(RunState.Success, null);
    }
    if (current == RunState.Cancelling) {
      return new FinalState(RunState.Cancelled, "cancelled by request");
    }
    if (exit.timedOut()) {
      // The agent stopped it at its run timeout: whatever the bootstrap said on the way out.
      return new FinalState(
          RunState.Failed,
          "run "
              + run.id()
              + " "
              + exit.reason()
              + " and was stopped"
              + (exit.exitCode() >= 0 ? " (exit code " + exit.exitCode() + ")" : ""));
    }
    if ("Failed".equals(result)) {
      return new FinalState(RunState.Failed, reporter.resultMessage());
    }
    if (exit.flowFault()) {
      return new FinalState(RunState.Failed, "run " + run.id() + ": " + exit.describe());
    }
    if (agentStopping) {
      return new FinalState(
          RunState.Crashed,
          "agent "
              + agentName
              + " stopped before run "
              + run.id()
              + " finished (grace period "
              + gracePeriod.toSeconds()
              + " s); "
              + exit.describe());
    }
    if ("Cancelled".equals(result)) {
      // The bootstrap was stopped, but nobody asked Gantry to cancel it.
      return new FinalState(
          RunState.Crashed,
          "run "
              + run.id()
              + " was stopped from outside Gantry (SIGTERM without a cancel request); "
              + exit.describe());
    }
    String reported = reporter.resultMessage() != null ? ": " + reporter.resultMessage() : "";
    return new FinalState(
        RunState.Crashed,
        "the process of run "
            + run.id()
            + " ended with "
            + exit.describe()
            + " before reporting a result"
            + reported);
  }
}
