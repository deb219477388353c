package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.RunRows.FROM_RUNS;
import static dev.gantry.backend.jdbc.RunRows.RUN_COLUMNS;

import dev.gantry.backend.RunSearch;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RunSearch} as one keyset query in {@code (created_at, id)} order, the order of the index
 * {@code flow_runs_created_id_idx}: the cursor is a range condition, never an OFFSET.
 */
final class JdbcRunSearch implements RunSearch {
  private final Database db;

  JdbcRunSearch(Database db) {
    this.db = db;
  }

  @Override
  public List<FlowRun> changedSince(Instant since, int limit) {
    return db.read(
        "read changed runs",
        c ->
            RunRows.read(
                c,
                "SELECT "
                    + RUN_COLUMNS
                    + FROM_RUNS
                    + " WHERE r.updated_at >= ? ORDER BY r.updated_at, r.id LIMIT ?",
                since,
                limit));
  }

  @Override
  public ActiveRuns activeRuns(Instant lateBefore) {
    return db.read(
        "count active runs",
        c -> {
          Map<RunState, Long> byState = new EnumMap<>(RunState.class);
          ActiveRuns.STATES.forEach(state -> byState.put(state, 0L));
          Database.query(
              c,
              "SELECT state, COUNT(*) AS n FROM flow_runs WHERE state IN ("
                  + parameterMarks(ActiveRuns.STATES.size())
                  + ") GROUP BY state",
              row -> byState.put(RunState.valueOf(row.getString("state")), row.getLong("n")),
              ActiveRuns.STATES.toArray());
          return Database.queryOne(
                  c,
                  "SELECT COUNT(*) AS n, MIN(scheduled_at) AS oldest FROM flow_runs"
                      + " WHERE state = ? AND scheduled_at < ?",
                  row -> new ActiveRuns(byState, row.getLong("n"), Database.instant(row, "oldest")),
                  RunState.Scheduled,
                  lateBefore)
              .orElseThrow();
        });
  }

  @Override
  public RunPage search(RunFilter filter, RunCursor after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a page of runs needs a limit of at least 1");
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(RUN_COLUMNS).append(FROM_RUNS);
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    if (filter.flowName() != null) {
      conditions.add("f.name = ?");
      params.add(filter.flowName());
    }
    if (!filter.states().isEmpty()) {
      conditions.add("r.state IN (" + parameterMarks(filter.states().size()) + ")");
      params.addAll(filter.states());
    }
    if (filter.label() != null) {
      conditions.add("EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id AND l.label = ?)");
      params.add(filter.label());
    }
    if (filter.agentId() != null) {
      conditions.add("r.agent_id = ?");
      params.add(filter.agentId());
    }
    if (filter.createdFrom() != null) {
      conditions.add("r.created_at >= ?");
      params.add(filter.createdFrom());
    }
    if (filter.createdBefore() != null) {
      conditions.add("r.created_at < ?");
      params.add(filter.createdBefore());
    }
    if (after != null) {
      conditions.add("(r.created_at < ? OR (r.created_at = ? AND r.id < ?))");
      params.add(after.createdAt());
      params.add(after.createdAt());
      params.add(after.runId());
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    // One more than asked for says whether there is a next page.
    sql.append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    params.add(limit + 1);
    List<FlowRun> runs =
        db.read("search runs", c -> RunRows.read(c, sql.toString(), params.toArray()));
    if (runs.size() <= limit) {
      return new RunPage(runs, null);
    }
    List<FlowRun> page = runs.subList(0, limit);
    return new RunPage(page, RunCursor.after(page.get(limit - 1)));
  }
}
