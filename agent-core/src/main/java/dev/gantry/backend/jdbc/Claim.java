package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.query;

import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent's claim: who, the label rule for its labels, the time and the lease it takes; and the
 * query for the due runs it may take.
 */
record Claim(String agentId, LabelCondition labels, Instant now, Instant leaseUntil) {

  /** Runs of flows without a concurrency limit: the agents' hot path. */
  static final String UNLIMITED_FLOW =
      "NOT EXISTS (SELECT 1 FROM flows lf JOIN flow_limits fl ON fl.flow_name = lf.name"
          + " WHERE lf.id = r.flow_id)";

  /** Runs of any version of the flow named by the parameter. */
  static final String FLOW_NAMED = "r.flow_id IN (SELECT nf.id FROM flows nf WHERE nf.name = ?)";

  /**
   * The parameters of a poll for this claim: Scheduled, due at {@code now}, the label rule's, the
   * flow condition's, and the limit.
   */
  List<Object> pollParams(List<Object> flowParams, int limit) {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(now);
    params.addAll(labels.params());
    params.addAll(flowParams);
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

  /** {@link #dueCandidates} with each run's due time. */
  List<Due> dueRuns(Connection c, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    return query(
        c,
        "SELECT r.id, r.scheduled_at FROM flow_runs r WHERE r.state = ? AND r.scheduled_at <= ?"
            + " AND "
            + labels.sql()
            + " AND "
            + flowCondition
            + " ORDER BY r.scheduled_at, r.id LIMIT ?",
        row -> new Due(row.getString("id"), Database.instant(row, "scheduled_at")),
        pollParams(flowParams, limit).toArray());
  }
}
