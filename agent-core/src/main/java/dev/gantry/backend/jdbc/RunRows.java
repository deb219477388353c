package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.query;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rows to domain values: {@code flow_runs} rows (joined with their flow, labels attached) to {@link
 * FlowRun}, and history, task run and log rows to their records.
 */
final class RunRows {

  /** The columns {@link #read} maps, for queries over {@code flow_runs r JOIN flows f}. */
  static final String RUN_COLUMNS =
      "r.id, r.flow_id, f.name AS flow_name, f.version AS flow_version, r.state, r.attempt,"
          + " r.agent_id, r.parameters, r.scheduled_at, r.created_at, r.updated_at, r.started_at,"
          + " r.ended_at, r.message";

  static final String FROM_RUNS = " FROM flow_runs r JOIN flows f ON f.id = r.flow_id";

  /** Runs whose labels are read in one IN list. */
  private static final int LABEL_BATCH = 500;

  private RunRows() {}

  static Optional<FlowRun> find(Connection c, String runId) throws SQLException {
    List<FlowRun> runs = read(c, "SELECT " + RUN_COLUMNS + FROM_RUNS + " WHERE r.id = ?", runId);
    return runs.stream().findFirst();
  }

  /** Stored runs with these ids, oldest due first. */
  static List<FlowRun> readById(Connection c, List<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    return read(
        c,
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " WHERE r.id IN ("
            + parameterMarks(ids.size())
            + ") ORDER BY r.scheduled_at, r.id",
        ids.toArray());
  }

  /** Runs the query for run rows and attaches each run's labels, keeping the query's order. */
  static List<FlowRun> read(Connection c, String sql, Object... params) throws SQLException {
    List<RunRow> rows = query(c, sql, RunRow::read, params);
    Map<String, Set<String>> labels = labelsOf(c, rows);
    List<FlowRun> runs = new ArrayList<>(rows.size());
    for (RunRow row : rows) {
      runs.add(row.toFlowRun(labels.getOrDefault(row.id(), Set.of())));
    }
    return runs;
  }

  /** A {@code run_states} row. */
  static StateChange stateChange(ResultSet row) throws SQLException {
    return new StateChange(
        row.getString("run_id"),
        RunState.valueOf(row.getString("state")),
        row.getInt("attempt"),
        row.getString("agent_id"),
        instant(row, "changed_at"),
        row.getString("message"));
  }

  /** A {@code task_runs} row. */
  static TaskRun taskRun(ResultSet row) throws SQLException {
    return new TaskRun(
        row.getString("run_id"),
        row.getString("task_name"),
        TaskState.valueOf(row.getString("state")),
        row.getInt("task_attempt"),
        instant(row, "started_at"),
        instant(row, "ended_at"),
        row.getString("message"));
  }

  /** A {@code run_logs} row. */
  static LogRecord logRecord(ResultSet row) throws SQLException {
    return new LogRecord(
        row.getLong("id"),
        row.getString("run_id"),
        instant(row, "logged_at"),
        row.getString("level"),
        row.getString("source"),
        row.getString("task_name"),
        row.getString("message"));
  }

  private static Map<String, Set<String>> labelsOf(Connection c, List<RunRow> rows)
      throws SQLException {
    Map<String, Set<String>> labels = new HashMap<>();
    for (int from = 0; from < rows.size(); from += LABEL_BATCH) {
      List<RunRow> batch = rows.subList(from, Math.min(rows.size(), from + LABEL_BATCH));
      Object[] ids = batch.stream().map(RunRow::id).toArray();
      try (PreparedStatement select =
          c.prepareStatement(
              "SELECT run_id, label FROM run_labels WHERE run_id IN ("
                  + parameterMarks(ids.length)
                  + ")")) {
        Database.bind(select, ids);
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            labels
                .computeIfAbsent(row.getString("run_id"), id -> new LinkedHashSet<>())
                .add(row.getString("label"));
          }
        }
      }
    }
    return labels;
  }

  /** A {@code flow_runs} row joined with its flow, before its labels are attached. */
  private record RunRow(
      String id,
      long flowId,
      String flowName,
      int flowVersion,
      RunState state,
      String parameters,
      int attempt,
      String agentId,
      Instant scheduledAt,
      Instant createdAt,
      Instant updatedAt,
      Instant startedAt,
      Instant endedAt,
      String message) {

    static RunRow read(ResultSet row) throws SQLException {
      return new RunRow(
          row.getString("id"),
          row.getLong("flow_id"),
          row.getString("flow_name"),
          row.getInt("flow_version"),
          RunState.valueOf(row.getString("state")),
          row.getString("parameters"),
          row.getInt("attempt"),
          row.getString("agent_id"),
          instant(row, "scheduled_at"),
          instant(row, "created_at"),
          instant(row, "updated_at"),
          instant(row, "started_at"),
          instant(row, "ended_at"),
          row.getString("message"));
    }

    FlowRun toFlowRun(Set<String> labels) {
      return new FlowRun(
          id,
          flowId,
          flowName,
          flowVersion,
          state,
          labels,
          JsonColumns.parameterValues(parameters, "run " + id),
          attempt,
          agentId,
          scheduledAt,
          createdAt,
          updatedAt,
          startedAt,
          endedAt,
          message);
    }
  }
}
