package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.FlowStore;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.catalog.WhenLimited;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link FlowStore} on the {@code flows} table. */
final class JdbcFlowStore implements FlowStore {

  /**
   * How often a registration retries after losing the race for a version number. Each loss means
   * another registration of the name committed, so this bounds concurrent registrations of one
   * name, not time.
   */
  private static final int REGISTER_TRIES = 50;

  private static final String COLUMNS =
      "id, name, version, format, location, digest, factory, image, labels, secrets, parameters,"
          + " registered_at, infrastructure_retries, concurrency_limit, when_limited, schedule_cron,"
          + " schedule_interval_ms, run_config";

  /** The newest version of each name, for a query on {@code flows f}. */
  private static final String NEWEST =
      "f.version = (SELECT MAX(g.version) FROM flows g WHERE g.name = f.name)";

  private final Database db;

  JdbcFlowStore(Database db) {
    this.db = db;
  }

  @Override
  public RegisteredFlow register(NewFlowVersion flow) {
    Objects.requireNonNull(flow, "flow");
    Objects.requireNonNull(flow.name(), "flow name");
    Objects.requireNonNull(flow.format(), "flow format");
    String labels = JsonColumns.flowLabels(flow.labels());
    String secrets = JsonColumns.names(flow.secrets());
    String parameters = JsonColumns.parameterSpecs(flow.parameters());
    for (int tries = 1; ; tries++) {
      try {
        return db.transaction(
            "register flow '" + flow.name() + "'",
            c -> insertNextVersion(c, flow, labels, secrets, parameters));
      } catch (BackendException e) {
        // A concurrent registration took the same version number: read the new maximum again.
        if (!Database.isUniqueViolation(e) || tries == REGISTER_TRIES) {
          throw e;
        }
      }
    }
  }

  private RegisteredFlow insertNextVersion(
      Connection c, NewFlowVersion flow, String labels, String secrets, String parameters)
      throws SQLException {
    int version =
        queryOne(
                c,
                "SELECT COALESCE(MAX(version), 0) + 1 AS next_version FROM flows WHERE name = ?",
                row -> row.getInt("next_version"),
                flow.name())
            .orElseThrow();
    RunPolicy policy = flow.policy();
    FlowSchedule schedule = flow.schedule();
    update(
        c,
        "INSERT INTO flows (name, version, format, location, digest, factory, image, labels,"
            + " secrets, parameters, registered_at, infrastructure_retries, concurrency_limit,"
            + " when_limited, schedule_cron, schedule_interval_ms, run_config)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        flow.name(),
        version,
        flow.format(),
        flow.location(),
        flow.digest(),
        flow.factory(),
        flow.image(),
        labels,
        secrets,
        parameters,
        db.now(),
        policy.infrastructureRetries(),
        policy.concurrencyLimit(),
        policy.whenLimited(),
        schedule == null ? null : schedule.cron(),
        schedule == null || schedule.interval() == null ? null : schedule.interval().toMillis(),
        RunConfigColumn.write(flow.runConfig()));
    // The newest registration sets the name's limit (a concurrent registration of the name makes
    // this insert collide, and register() tries again with the next version).
    update(c, "DELETE FROM flow_limits WHERE flow_name = ?", flow.name());
    if (policy.concurrencyLimit() != null) {
      update(
          c,
          "INSERT INTO flow_limits (flow_name, concurrency_limit, when_limited) VALUES (?, ?, ?)",
          flow.name(),
          policy.concurrencyLimit(),
          policy.whenLimited());
    }
    return queryOne(
            c,
            "SELECT " + COLUMNS + " FROM flows WHERE name = ? AND version = ?",
            JdbcFlowStore::readFlow,
            flow.name(),
            version)
        .orElseThrow();
  }

  @Override
  public Optional<RegisteredFlow> latest(String name) {
    return db.read(
        "read the latest version of flow '" + name + "'",
        c ->
            queryOne(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM flows WHERE name = ? AND version ="
                    + " (SELECT MAX(version) FROM flows WHERE name = ?)",
                JdbcFlowStore::readFlow,
                name,
                name));
  }

  @Override
  public Optional<RegisteredFlow> find(long flowId) {
    return db.read(
        "read flow " + flowId,
        c ->
            queryOne(
                c,
                "SELECT " + COLUMNS + " FROM flows WHERE id = ?",
                JdbcFlowStore::readFlow,
                flowId));
  }

  @Override
  public List<RegisteredFlow> listLatest() {
    return db.read(
        "list flows",
        c ->
            query(
                c,
                "SELECT " + COLUMNS + " FROM flows f WHERE " + NEWEST + " ORDER BY name",
                JdbcFlowStore::readFlow));
  }

  @Override
  public List<ScheduledFlow> scheduled() {
    return db.read(
        "list scheduled flows",
        c ->
            query(
                c,
                "SELECT f.id, f.name, f.version, f.schedule_cron, f.schedule_interval_ms,"
                    + " s.paused FROM flows f LEFT JOIN flow_schedules s ON s.flow_name = f.name"
                    + " WHERE "
                    + NEWEST
                    + " AND (f.schedule_cron IS NOT NULL OR f.schedule_interval_ms IS NOT NULL)"
                    + " ORDER BY f.name",
                row ->
                    new ScheduledFlow(
                        row.getString("name"),
                        row.getLong("id"),
                        row.getInt("version"),
                        readSchedule(row),
                        row.getBoolean("paused"))));
  }

  @Override
  public boolean pauseSchedule(String name, boolean paused) {
    Instant now = db.now();
    for (int tries = 1; ; tries++) {
      try {
        return db.transaction(
            (paused ? "pause" : "resume") + " the schedule of flow '" + name + "'",
            c -> {
              boolean scheduled =
                  queryOne(
                          c,
                          "SELECT f.id FROM flows f WHERE f.name = ? AND "
                              + NEWEST
                              + " AND (f.schedule_cron IS NOT NULL"
                              + " OR f.schedule_interval_ms IS NOT NULL)",
                          row -> true,
                          name)
                      .isPresent();
              if (!scheduled) {
                return false;
              }
              if (update(
                      c,
                      "UPDATE flow_schedules SET paused = ?, updated_at = ? WHERE flow_name = ?",
                      paused,
                      now,
                      name)
                  == 0) {
                update(
                    c,
                    "INSERT INTO flow_schedules (flow_name, paused, updated_at) VALUES (?, ?, ?)",
                    name,
                    paused,
                    now);
              }
              return true;
            });
      } catch (BackendException e) {
        // Two first pauses of one name raced to insert its row: the update finds it now.
        if (!Database.isUniqueViolation(e) || tries == REGISTER_TRIES) {
          throw e;
        }
      }
    }
  }

  private static FlowSchedule readSchedule(ResultSet row) throws SQLException {
    String cron = row.getString("schedule_cron");
    long intervalMillis = row.getLong("schedule_interval_ms");
    boolean hasInterval = !row.wasNull();
    if (cron != null) {
      return FlowSchedule.cron(cron);
    }
    return hasInterval ? FlowSchedule.every(Duration.ofMillis(intervalMillis)) : null;
  }

  private static RegisteredFlow readFlow(ResultSet row) throws SQLException {
    String owner = "flow " + row.getLong("id");
    return new RegisteredFlow(
        row.getLong("id"),
        row.getString("name"),
        row.getInt("version"),
        BundleFormat.valueOf(row.getString("format")),
        row.getString("location"),
        row.getString("digest"),
        row.getString("factory"),
        row.getString("image"),
        JsonColumns.flowLabels(row.getString("labels"), owner),
        JsonColumns.names(row.getString("secrets"), "secrets", owner),
        JsonColumns.parameterSpecs(row.getString("parameters"), owner),
        instant(row, "registered_at"),
        new RunPolicy(
            row.getInt("infrastructure_retries"),
            row.getObject("concurrency_limit", Integer.class),
            WhenLimited.valueOf(row.getString("when_limited"))),
        readSchedule(row),
        RunConfigColumn.read(row.getString("run_config"), owner));
  }
}
