package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.stored;
import static dev.gantry.backend.jdbc.Database.update;
import static dev.gantry.backend.jdbc.RunTable.MESSAGE_LENGTH;
import static dev.gantry.backend.jdbc.RunTable.TASK_NAME_LENGTH;

import dev.gantry.domain.RunFence;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The task runs of a run's current attempt: fenced state reports in, ordered task runs out. */
final class TaskRunRecords {

  private final Database db;

  TaskRunRecords(Database db) {
    this.db = db;
  }

  boolean recordTaskState(RunFence fence, TaskStateUpdate update) {
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(update, "update");
    Instant at = update.at() == null ? db.now() : stored(update.at());
    String taskName = fit(update.taskName(), TASK_NAME_LENGTH);
    String message = fit(update.message(), MESSAGE_LENGTH);
    Instant startedAt = update.state() == TaskState.RUNNING ? at : null;
    Instant endedAt = update.state().isFinal() ? at : null;
    return db.transaction(
        "record task '"
            + taskName
            + "' of run "
            + fence.runId()
            + " (attempt "
            + fence.attempt()
            + ")",
        c -> {
          if (!RunTable.holdsFence(c, fence)) {
            return false;
          }
          int updated =
              update(
                  c,
                  "UPDATE task_runs SET state = ?, task_attempt = ?, started_at ="
                      + " COALESCE(started_at, ?), ended_at = ?, updated_at = ?, message = ?"
                      + " WHERE run_id = ? AND attempt = ? AND task_name = ?",
                  update.state(),
                  update.taskAttempt(),
                  startedAt,
                  endedAt,
                  at,
                  message,
                  fence.runId(),
                  fence.attempt(),
                  taskName);
          if (updated == 0) {
            update(
                c,
                "INSERT INTO task_runs (run_id, attempt, task_name, report_seq, state,"
                    + " task_attempt, started_at, ended_at, updated_at, message) VALUES (?, ?, ?,"
                    + " (SELECT COALESCE(MAX(report_seq), 0) + 1 FROM task_runs"
                    + " WHERE run_id = ? AND attempt = ?), ?, ?, ?, ?, ?, ?)",
                fence.runId(),
                fence.attempt(),
                taskName,
                fence.runId(),
                fence.attempt(),
                update.state(),
                update.taskAttempt(),
                startedAt,
                endedAt,
                at,
                message);
          }
          return true;
        });
  }

  List<TaskRun> taskRuns(String runId) {
    return db.read(
        "read the task runs of run " + runId,
        c ->
            query(
                c,
                "SELECT t.run_id, t.task_name, t.state, t.task_attempt, t.started_at, t.ended_at,"
                    + " t.message FROM task_runs t"
                    + " JOIN flow_runs r ON r.id = t.run_id AND r.attempt = t.attempt"
                    + " WHERE t.run_id = ? ORDER BY t.report_seq",
                RunRows::taskRun,
                runId));
  }
}
