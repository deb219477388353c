package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.ScheduleFireStore;
import java.time.Instant;
import java.util.List;

/**
 * {@link ScheduleFireStore} on the {@code schedule_fire_failures} table (V10): one row per flow
 * name whose schedule's latest fire failed, deleted by a later good fire.
 */
final class JdbcScheduleFireStore implements ScheduleFireStore {
  private static final int INSERT_TRIES = 3;

  private final Database db;

  JdbcScheduleFireStore(Database db) {
    this.db = db;
  }

  @Override
  public void failed(String flowName, Instant fireAt, String reason) {
    String line = Database.fit(oneLine(reason), MAX_REASON);
    for (int tries = 1; ; tries++) {
      try {
        db.transaction(
            "record the failed fire of the schedule of flow '" + flowName + "'",
            c -> {
              Instant now = db.now();
              int changed =
                  update(
                      c,
                      "UPDATE schedule_fire_failures SET fire_at = ?, reason = ?, recorded_at = ?"
                          + " WHERE flow_name = ? AND fire_at <= ?",
                      fireAt,
                      line,
                      now,
                      flowName,
                      fireAt);
              if (changed == 0
                  && query(
                          c,
                          "SELECT flow_name FROM schedule_fire_failures WHERE flow_name = ?",
                          row -> true,
                          flowName)
                      .isEmpty()) {
                update(
                    c,
                    "INSERT INTO schedule_fire_failures (flow_name, fire_at, reason, recorded_at)"
                        + " VALUES (?, ?, ?, ?)",
                    flowName,
                    fireAt,
                    line,
                    now);
              }
              return null;
            });
        return;
      } catch (BackendException e) {
        // Two schedulers raced to insert the row: the update finds it now.
        if (!Database.isUniqueViolation(e) || tries == INSERT_TRIES) {
          throw e;
        }
      }
    }
  }

  @Override
  public void succeeded(String flowName, Instant fireAt) {
    db.transaction(
        "clear the failed fire of the schedule of flow '" + flowName + "'",
        c ->
            update(
                c,
                "DELETE FROM schedule_fire_failures WHERE flow_name = ? AND fire_at <= ?",
                flowName,
                fireAt));
  }

  @Override
  public List<FireFailure> failures() {
    return db.read(
        "list the schedules' failed fires",
        c ->
            query(
                c,
                "SELECT s.flow_name, s.fire_at, s.reason FROM schedule_fire_failures s"
                    + " WHERE EXISTS (SELECT 1 FROM flows f"
                    + " WHERE f.name = s.flow_name"
                    + " AND f.version = (SELECT MAX(g.version) FROM flows g WHERE g.name = f.name)"
                    + " AND (f.schedule_cron IS NOT NULL OR f.schedule_interval_ms IS NOT NULL))"
                    + " ORDER BY s.flow_name",
                row ->
                    new FireFailure(
                        row.getString("flow_name"),
                        instant(row, "fire_at"),
                        row.getString("reason"))));
  }

  /** The reason on one line: line breaks and tabs become spaces, runs of spaces one. */
  static String oneLine(String reason) {
    String text = reason == null || reason.isBlank() ? "unknown reason" : reason;
    return text.replaceAll("[\\r\\n\\t]+", " ").replaceAll(" {2,}", " ").trim();
  }
}
