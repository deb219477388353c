package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.ScheduleFireStore;
import java.time.Instant;
import java.util.List;

/**
 * {@link ScheduleFireStore} on the {@code flow_schedules} table (V10's columns): the row of a flow
 * name carries its schedule's latest failed fire next to the pause flag.
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
              int changed =
                  update(
                      c,
                      "UPDATE flow_schedules SET last_failed_fire_at = ?, last_failure = ?"
                          + " WHERE flow_name = ?"
                          + " AND (last_failed_fire_at IS NULL OR last_failed_fire_at <= ?)",
                      fireAt,
                      line,
                      flowName,
                      fireAt);
              if (changed == 0
                  && query(
                          c,
                          "SELECT flow_name FROM flow_schedules WHERE flow_name = ?",
                          row -> true,
                          flowName)
                      .isEmpty()) {
                update(
                    c,
                    "INSERT INTO flow_schedules (flow_name, paused, updated_at,"
                        + " last_failed_fire_at, last_failure) VALUES (?, ?, ?, ?, ?)",
                    flowName,
                    false,
                    db.now(),
                    fireAt,
                    line);
              }
              return null;
            });
        return;
      } catch (BackendException e) {
        // Two schedulers (or a pause) raced to insert the row: the update finds it now.
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
                "UPDATE flow_schedules SET last_failed_fire_at = NULL, last_failure = NULL"
                    + " WHERE flow_name = ? AND last_failed_fire_at <= ?",
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
                "SELECT s.flow_name, s.last_failed_fire_at, s.last_failure FROM flow_schedules s"
                    + " WHERE s.last_failed_fire_at IS NOT NULL AND EXISTS (SELECT 1 FROM flows f"
                    + " WHERE f.name = s.flow_name"
                    + " AND f.version = (SELECT MAX(g.version) FROM flows g WHERE g.name = f.name)"
                    + " AND (f.schedule_cron IS NOT NULL OR f.schedule_interval_ms IS NOT NULL))"
                    + " ORDER BY s.flow_name",
                row ->
                    new FireFailure(
                        row.getString("flow_name"),
                        instant(row, "last_failed_fire_at"),
                        row.getString("last_failure"))));
  }

  /** The reason on one line: line breaks and tabs become spaces, runs of spaces one. */
  static String oneLine(String reason) {
    String text = reason == null || reason.isBlank() ? "unknown reason" : reason;
    return text.replaceAll("[\\r\\n\\t]+", " ").replaceAll(" {2,}", " ").trim();
  }
}
