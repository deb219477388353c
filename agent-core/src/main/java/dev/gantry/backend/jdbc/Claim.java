package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.query;

import dev.gantry.backend.jdbc.Database.Dialect;
import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent's claim: who, the label rule for its labels, the time and the lease it takes; and the
 * query for the due runs it may take. The query reads, per label set the agent covers, that set's
 * oldest due runs through {@code flow_runs (state, label_set_id, scheduled_at, id)} and keeps the
 * oldest of them: runs of sets the agent does not cover are never read.
 */
record Claim(
    String agentId, LabelCondition labels, Instant now, Instant leaseUntil, Dialect dialect) {

  /**
   * Runs of flows without a concurrency limit: the agents' hot path. NOT IN (a hashed filter), not
   * NOT EXISTS: PostgreSQL plans NOT EXISTS as an anti join and, guessing the few limited flows
   * remove most runs, reads and sorts every due run of a set instead of the index's oldest few.
   */
  static final String UNLIMITED_FLOW =
      "r.flow_id NOT IN (SELECT lf.id FROM flows lf JOIN flow_limits fl ON fl.flow_name = lf.name)";

  /** Runs of any version of the flow named by the parameter. */
  static final String FLOW_NAMED = "r.flow_id IN (SELECT nf.id FROM flows nf WHERE nf.name = ?)";

  /**
   * The oldest due runs of one label set ({@code labelSet}: a column or a parameter mark) that
   * match {@code flowCondition}, up to a limit; {@code lock} is appended (PostgreSQL's row locks).
   */
  static String dueRunsOfSet(String labelSet, String flowCondition, String lock) {
    return "SELECT r.id, r.scheduled_at FROM flow_runs r WHERE r.state = ? AND r.label_set_id = "
        + labelSet
        + " AND r.scheduled_at <= ? AND "
        + flowCondition
        + " ORDER BY r.scheduled_at, r.id LIMIT ?"
        + lock;
  }

  /**
   * PostgreSQL's poll in one statement: {@link #dueRunsOfSet} for each covered set (a LATERAL
   * join), the oldest {@code limit} of all. Parameters: {@link #lateralParams}.
   */
  static String lateralPoll(LabelCondition labels, String flowCondition, String lock) {
    return "SELECT x.id, x.scheduled_at FROM ("
        + labels.coveredSets()
        + ") s CROSS JOIN LATERAL ("
        + dueRunsOfSet("s.id", flowCondition, lock)
        + ") x ORDER BY x.scheduled_at, x.id LIMIT ?";
  }

  /** The parameters of {@link #lateralPoll} for this claim. */
  List<Object> lateralParams(List<Object> flowParams, int limit) {
    List<Object> params = new ArrayList<>(labels.params());
    params.add(RunState.Scheduled);
    params.add(now);
    params.addAll(flowParams);
    params.add(limit);
    params.add(limit);
    return params;
  }

  /** A due run's place in the due order: its due time, ties by id. */
  record Due(String id, Instant scheduledAt) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = scheduledAt.compareTo(other.scheduledAt);
      return byTime != 0 ? byTime : id.compareTo(other.id);
    }
  }

  /** Scheduled runs due for this claim that match {@code flowCondition}, oldest due first. */
  List<String> dueCandidates(Connection c, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    return new ArrayList<>(
        dueRuns(c, flowCondition, flowParams, limit).stream().map(Due::id).toList());
  }

  /**
   * {@link #dueCandidates} with each run's due time. H2 has no LATERAL join: it reads the covered
   * sets first, then one {@link #dueRunsOfSet} per set in a UNION ALL.
   */
  List<Due> dueRuns(Connection c, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    if (dialect == Dialect.POSTGRES) {
      return query(
          c,
          lateralPoll(labels, flowCondition, ""),
          Claim::due,
          lateralParams(flowParams, limit).toArray());
    }
    List<Long> sets =
        query(c, labels.coveredSets(), row -> row.getLong("id"), labels.params().toArray());
    if (sets.isEmpty()) {
      return List.of();
    }
    List<String> perSet = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    for (long set : sets) {
      perSet.add("(" + dueRunsOfSet("?", flowCondition, "") + ")");
      params.add(RunState.Scheduled);
      params.add(set);
      params.add(now);
      params.addAll(flowParams);
      params.add(limit);
    }
    params.add(limit);
    return query(
        c,
        "SELECT x.id, x.scheduled_at FROM ("
            + String.join(" UNION ALL ", perSet)
            + ") x ORDER BY x.scheduled_at, x.id LIMIT ?",
        Claim::due,
        params.toArray());
  }

  private static Due due(java.sql.ResultSet row) throws SQLException {
    return new Due(row.getString("id"), Database.instant(row, "scheduled_at"));
  }
}
