package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.update;
import static dev.gantry.backend.jdbc.RunRows.FROM_RUNS;
import static dev.gantry.backend.jdbc.RunRows.RUN_COLUMNS;
import static dev.gantry.backend.jdbc.RunTable.ACTIVE;
import static dev.gantry.backend.jdbc.RunTable.APPEND_HISTORY;
import static dev.gantry.backend.jdbc.RunTable.MESSAGE_LENGTH;

import dev.gantry.backend.jdbc.Database.Dialect;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The agents' hold on their runs: the runs an agent holds, lease renewal, runs whose lease expired
 * and the adoption of an orphaned run's attempt by another agent.
 */
final class RunLeases {

  private final Database db;

  RunLeases(Database db) {
    this.db = db;
  }

  List<FlowRun> runsOfAgent(String agentId, Collection<RunState> states) {
    if (states.isEmpty()) {
      return List.of();
    }
    List<Object> params = new ArrayList<>();
    params.add(agentId);
    params.addAll(EnumSet.copyOf(states));
    String sql =
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " WHERE r.agent_id = ? AND r.state IN ("
            + parameterMarks(params.size() - 1)
            + ") ORDER BY r.updated_at, r.id";
    return db.read(
        "list the runs of agent " + agentId, c -> RunRows.read(c, sql, params.toArray()));
  }

  Set<String> renewLeases(String agentId, Collection<String> runIds, Duration lease) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(lease, "lease");
    if (runIds.isEmpty()) {
      return Set.of();
    }
    List<String> ids = List.copyOf(new LinkedHashSet<>(runIds));
    String renew =
        "UPDATE flow_runs SET lease_expires_at = ? WHERE agent_id = ? AND state IN ("
            + parameterMarks(ACTIVE.size())
            + ") AND id IN ("
            + parameterMarks(ids.size())
            + ")";
    // One statement that also names the rows it renewed.
    String sql =
        db.dialect() == Dialect.POSTGRES
            ? renew + " RETURNING id"
            : "SELECT id FROM FINAL TABLE (" + renew + ")";
    return db.transaction(
        "renew the leases of " + ids.size() + " runs of agent " + agentId,
        c -> {
          List<Object> params = new ArrayList<>();
          params.add(db.now().plus(lease)); // now that the connection is ours
          params.add(agentId);
          params.addAll(ACTIVE);
          params.addAll(ids);
          return Set.copyOf(query(c, sql, row -> row.getString("id"), params.toArray()));
        });
  }

  List<FlowRun> expiredLeases(String agentKind, Instant now) {
    List<Object> params = new ArrayList<>(ACTIVE);
    params.add(agentKind);
    params.add(now);
    String sql =
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " LEFT JOIN agents a ON a.id = r.agent_id"
            + " WHERE r.state IN ("
            + parameterMarks(ACTIVE.size())
            + ") AND (a.id IS NULL OR a.kind = ?)"
            + " AND (r.lease_expires_at IS NULL OR r.lease_expires_at < ?"
            + " OR a.stopped_at IS NOT NULL)"
            + " ORDER BY r.updated_at, r.id";
    return db.read(
        "list runs of " + agentKind + " agents whose lease expired",
        c -> RunRows.read(c, sql, params.toArray()));
  }

  Optional<RunFence> adopt(RunFence stale, String newAgentId, String message, Instant leaseUntil) {
    Objects.requireNonNull(newAgentId, "newAgentId");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    List<Object> params =
        new ArrayList<>(
            List.of(
                newAgentId,
                db.now(),
                fit(message, MESSAGE_LENGTH),
                leaseUntil,
                stale.runId(),
                stale.attempt(),
                stale.agentId()));
    params.addAll(ACTIVE);
    String sql =
        "UPDATE flow_runs SET agent_id = ?, updated_at = ?, message = ?, lease_expires_at = ?"
            + " WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN ("
            + parameterMarks(ACTIVE.size())
            + ")";
    return db.transaction(
        "hand run " + stale.runId() + " (attempt " + stale.attempt() + ") to agent " + newAgentId,
        c -> {
          if (update(c, sql, params.toArray()) != 1) {
            return Optional.empty();
          }
          update(c, APPEND_HISTORY, stale.runId());
          return Optional.of(new RunFence(stale.runId(), stale.attempt(), newAgentId));
        });
  }
}
