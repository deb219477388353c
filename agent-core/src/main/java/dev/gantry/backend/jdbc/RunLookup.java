package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.RunRows.FROM_RUNS;
import static dev.gantry.backend.jdbc.RunRows.RUN_COLUMNS;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads runs for people and tools: by id or id prefix, filtered lists, state history. */
final class RunLookup {

  /** Shortest prefix {@link #findByIdOrPrefix} accepts, so a typo does not pick a random run. */
  private static final int MIN_PREFIX_LENGTH = 4;

  private final Database db;

  RunLookup(Database db) {
    this.db = db;
  }

  Optional<FlowRun> find(String runId) {
    return db.read("read run " + runId, c -> RunRows.find(c, runId));
  }

  Optional<FlowRun> findByIdOrPrefix(String idOrPrefix) {
    String wanted = idOrPrefix.strip().toLowerCase(Locale.ROOT);
    return db.read(
        "find run '" + idOrPrefix + "'",
        c -> {
          Optional<FlowRun> exact = RunRows.find(c, wanted);
          if (exact.isPresent() || wanted.length() < MIN_PREFIX_LENGTH) {
            return exact;
          }
          List<String> matches =
              query(
                  c,
                  "SELECT id FROM flow_runs WHERE id LIKE ? ESCAPE '!' ORDER BY id LIMIT 2",
                  row -> row.getString("id"),
                  likePrefix(wanted));
          return matches.size() == 1 ? RunRows.find(c, matches.get(0)) : Optional.empty();
        });
  }

  private static String likePrefix(String prefix) {
    return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
  }

  List<FlowRun> list(String flowName, Set<RunState> states, int limit) {
    StringBuilder sql = new StringBuilder("SELECT ").append(RUN_COLUMNS).append(FROM_RUNS);
    List<Object> params = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    if (flowName != null) {
      conditions.add("f.name = ?");
      params.add(flowName);
    }
    if (states != null && !states.isEmpty()) {
      conditions.add("r.state IN (" + parameterMarks(states.size()) + ")");
      params.addAll(states);
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    params.add(limit);
    return db.read("list runs", c -> RunRows.read(c, sql.toString(), params.toArray()));
  }

  List<StateChange> history(String runId) {
    return db.read(
        "read the state history of run " + runId,
        c ->
            query(
                c,
                "SELECT run_id, state, attempt, agent_id, changed_at, message FROM run_states"
                    + " WHERE run_id = ? ORDER BY id",
                RunRows::stateChange,
                runId));
  }
}
