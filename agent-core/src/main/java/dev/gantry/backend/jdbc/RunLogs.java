package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.RunTable.TASK_NAME_LENGTH;

import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunFence;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A run's log: fenced appends, reads after an id, and when the newest record was written. */
final class RunLogs {

  /** Column lengths from V1__initial_schema.sql; longer text is cut to fit. */
  private static final int LOG_MESSAGE_LENGTH = 32000;

  private static final int LOG_LEVEL_LENGTH = 16;
  private static final int LOG_SOURCE_LENGTH = 255;

  private final Database db;

  RunLogs(Database db) {
    this.db = db;
  }

  Optional<Instant> latestLogAt(String runId) {
    return db.read(
            "read the newest log time of run " + runId,
            c ->
                queryOne(
                    c,
                    "SELECT MAX(logged_at) AS latest FROM run_logs WHERE run_id = ?",
                    row -> Optional.ofNullable(instant(row, "latest")),
                    runId))
        .flatMap(latest -> latest);
  }

  boolean appendLogs(RunFence fence, List<LogRecord> records) {
    Objects.requireNonNull(fence, "fence");
    Instant now = db.now();
    return db.transaction(
        "append logs of run " + fence.runId() + " (attempt " + fence.attempt() + ")",
        c -> {
          // Holding the run's row lock also serializes appends per run, so log ids become
          // visible in increasing order and a reader following with afterId misses none.
          if (!RunTable.holdsFence(c, fence)) {
            return false;
          }
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO run_logs (run_id, attempt, logged_at, level, source, task_name,"
                      + " message) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (LogRecord record : records) {
              Database.bind(
                  insert,
                  fence.runId(),
                  fence.attempt(),
                  record.at() == null ? now : record.at(),
                  fit(record.level(), LOG_LEVEL_LENGTH),
                  fit(record.source(), LOG_SOURCE_LENGTH),
                  fit(record.taskName(), TASK_NAME_LENGTH),
                  Objects.requireNonNullElse(fit(record.message(), LOG_MESSAGE_LENGTH), ""));
              insert.addBatch();
            }
            if (!records.isEmpty()) {
              insert.executeBatch();
            }
          }
          return true;
        });
  }

  List<LogRecord> logs(String runId, long afterId, int limit) {
    return db.read(
        "read the logs of run " + runId,
        c ->
            query(
                c,
                "SELECT id, run_id, logged_at, level, source, task_name, message FROM run_logs"
                    + " WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
                RunRows::logRecord,
                runId,
                afterId,
                limit));
  }
}
