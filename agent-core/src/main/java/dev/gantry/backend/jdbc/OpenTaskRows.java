package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.update;
import static dev.gantry.backend.jdbc.RunTable.MESSAGE_LENGTH;

import dev.gantry.domain.RunState;
import dev.gantry.flow.TaskState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Ends the tasks of an attempt that never reported an end, in the transaction that ends the
 * attempt: whatever path ends a run (its agent, a cancel, a takeover), no task of it stays PENDING,
 * RUNNING or RETRYING. A cancelled (or successful) run's open tasks end CANCELLED, any other's
 * FAILED, with a message saying why; each keeps its attempt number.
 */
final class OpenTaskRows {
  private OpenTaskRows() {}

  private record Open(String taskName, String state) {}

  static int close(
      Connection c, String runId, int attempt, RunState run, String runMessage, Instant at)
      throws SQLException {
    List<Open> open =
        query(
            c,
            "SELECT task_name, state FROM task_runs WHERE run_id = ? AND attempt = ?"
                + " AND state IN (?, ?, ?) ORDER BY report_seq",
            row -> new Open(row.getString("task_name"), row.getString("state")),
            runId,
            attempt,
            TaskState.PENDING,
            TaskState.RUNNING,
            TaskState.RETRYING);
    TaskState end =
        run == RunState.Cancelled || run == RunState.Success
            ? TaskState.CANCELLED
            : TaskState.FAILED;
    for (Open task : open) {
      update(
          c,
          "UPDATE task_runs SET state = ?, ended_at = ?, updated_at = ?, message = ?"
              + " WHERE run_id = ? AND attempt = ? AND task_name = ?",
          end,
          at,
          at,
          fit(why(run, runMessage, task.state()), MESSAGE_LENGTH),
          runId,
          attempt,
          task.taskName());
    }
    return open.size();
  }

  private static String why(RunState run, String runMessage, String taskState) {
    String reason = runMessage == null ? "" : ": " + runMessage;
    String was = " (the task was " + taskState + ")";
    return switch (run) {
      case Crashed -> "run crashed" + reason + was;
      case Cancelled -> "run cancelled" + reason + was;
      case Failed -> "run failed" + reason + was;
      case Scheduled -> "run attempt ended" + reason + was;
      default -> "run ended " + run + " before the task reported an end" + was;
    };
  }
}
