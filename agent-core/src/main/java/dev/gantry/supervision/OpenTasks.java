package dev.gantry.supervision;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import java.time.Instant;

/**
 * The tasks of an attempt that never reported an end, closed when the agent ends the attempt: none
 * stays PENDING, RUNNING or RETRYING after its run ended. A crashed or failed run's open tasks end
 * FAILED ("run crashed: why"), a cancelled run's CANCELLED; each keeps its attempt number.
 */
final class OpenTasks {
  private OpenTasks() {}

  /**
   * Records a terminal state for each open task of the fenced attempt, at {@code at}, before the
   * run's own end is recorded (the fence must still hold).
   *
   * @return how many tasks were closed
   */
  static int close(RunStore runs, RunFence fence, FinalState outcome, Instant at) {
    int closed = 0;
    for (TaskRun task : runs.taskRuns(fence.runId())) {
      if (task.state().isFinal()) {
        continue;
      }
      runs.recordTaskState(
          fence,
          new TaskStateUpdate(
              task.taskName(),
              stateFor(outcome.state()),
              task.taskAttempt(),
              at,
              why(outcome, task)));
      closed++;
    }
    return closed;
  }

  private static TaskState stateFor(RunState run) {
    return run == RunState.Cancelled || run == RunState.Success
        ? TaskState.CANCELLED
        : TaskState.FAILED;
  }

  private static String why(FinalState outcome, TaskRun task) {
    String reason = outcome.message() == null ? "" : ": " + outcome.message();
    String was = " (the task was " + task.state() + ")";
    return switch (outcome.state()) {
      case Crashed -> "run crashed" + reason + was;
      case Cancelled -> "run cancelled" + reason + was;
      case Failed -> "run failed" + reason + was;
      case Scheduled -> "run attempt ended" + reason + was;
      default -> "run ended " + outcome.state() + " before the task reported an end" + was;
    };
  }
}
