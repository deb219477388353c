package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.RunSignal;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Creates Scheduled runs, one per schedule fire when asked, and wakes the agents. */
final class RunCreation {

  private final Database db;

  RunCreation(Database db) {
    this.db = db;
  }

  FlowRun create(NewRun run) {
    Objects.requireNonNull(run, "run");
    return db.transaction("create a run of flow " + run.flowId(), c -> insertRun(c, run, null));
  }

  Optional<FlowRun> createForScheduleFire(NewRun run) {
    Objects.requireNonNull(run, "run");
    try {
      return Optional.of(
          db.transaction(
              "create the run of flow "
                  + run.flowId()
                  + " for its schedule fire at "
                  + run.scheduledAt(),
              c -> insertRun(c, run, run.scheduledAt())));
    } catch (BackendException e) {
      if (Database.isUniqueViolation(e)) {
        return Optional.empty(); // another scheduler created this fire's run
      }
      throw e;
    }
  }

  private FlowRun insertRun(Connection c, NewRun run, Instant scheduleFireAt) throws SQLException {
    String runId = UUID.randomUUID().toString();
    Instant now = db.now();
    boolean flowExists =
        queryOne(c, "SELECT id FROM flows WHERE id = ?", row -> true, run.flowId()).isPresent();
    if (!flowExists) {
      throw new IllegalArgumentException(
          "cannot create a run of flow " + run.flowId() + ": no flow has that id");
    }
    update(
        c,
        "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
            + " scheduled_at, created_at, updated_at, schedule_fire_at, label_set_id)"
            + " VALUES (?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, ?)",
        runId,
        run.flowId(),
        RunState.Scheduled,
        JsonColumns.parameterValues(run.parameters()),
        run.scheduledAt(),
        now,
        now,
        scheduleFireAt,
        LabelSets.idOf(c, run.labels()));
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO run_labels (run_id, label) VALUES (?, ?)")) {
      for (String label : run.labels()) {
        Database.bind(insert, runId, label);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    update(c, RunTable.APPEND_HISTORY, runId);
    db.signal(c, RunSignal.DUE);
    return RunRows.find(c, runId).orElseThrow();
  }
}
