package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.AgentStore;
import dev.gantry.backend.BackendException;
import dev.gantry.domain.AgentInfo;
import dev.gantry.launch.LaunchPolicy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link AgentStore} on the {@code agents} table. */
final class JdbcAgentStore implements AgentStore {

  private static final String COLUMNS =
      "id, name, kind, host, labels, max_concurrent, running, started_at, heartbeat_at,"
          + " stopped_at";

  private final Database db;

  JdbcAgentStore(Database db) {
    this.db = db;
  }

  /** Records the agent; an agent id registered before (a restart with the same id) starts over. */
  @Override
  public void register(AgentInfo agent, LaunchPolicy policy) {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(agent.startedAt(), "agent startedAt");
    String labels = JsonColumns.names(agent.labels());
    String policyJson = PolicyColumn.write(policy);
    db.transaction(
        "register agent " + agent.id(),
        c -> {
          update(c, "DELETE FROM agents WHERE id = ?", agent.id());
          return update(
              c,
              "INSERT INTO agents ("
                  + COLUMNS
                  + ", policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
              agent.id(),
              agent.name(),
              agent.kind(),
              agent.host(),
              labels,
              agent.maxConcurrent(),
              agent.running(),
              agent.startedAt(),
              agent.startedAt(),
              policyJson);
        });
  }

  @Override
  public void heartbeat(String agentId, Instant at, int running) {
    Objects.requireNonNull(at, "at");
    int renewed =
        db.transaction(
            "renew the heartbeat of agent " + agentId,
            c ->
                update(
                    c,
                    "UPDATE agents SET heartbeat_at = ?, running = ? WHERE id = ?",
                    at,
                    running,
                    agentId));
    if (renewed == 0) {
      throw new BackendException(
          "cannot renew the heartbeat of agent " + agentId + ": no agent has that id");
    }
  }

  @Override
  public void markStopped(String agentId, Instant at) {
    Objects.requireNonNull(at, "at");
    db.transaction(
        "mark agent " + agentId + " stopped",
        // A stopped agent runs nothing: its last heartbeat's count is not kept.
        c -> update(c, "UPDATE agents SET stopped_at = ?, running = 0 WHERE id = ?", at, agentId));
  }

  @Override
  public Optional<AgentInfo> find(String agentId) {
    return db.read(
        "read agent " + agentId,
        c ->
            queryOne(
                c,
                "SELECT " + COLUMNS + " FROM agents WHERE id = ?",
                JdbcAgentStore::readAgent,
                agentId));
  }

  @Override
  public List<AgentInfo> list() {
    return db.read(
        "list agents",
        c ->
            query(
                c,
                "SELECT " + COLUMNS + " FROM agents ORDER BY heartbeat_at DESC, id",
                JdbcAgentStore::readAgent));
  }

  @Override
  public Map<String, LaunchPolicy> policies() {
    Map<String, LaunchPolicy> out = new LinkedHashMap<>();
    db.read(
        "read the policies of agents",
        c ->
            query(
                c,
                "SELECT id, policy FROM agents WHERE policy IS NOT NULL ORDER BY id",
                row -> {
                  String id = row.getString("id");
                  out.put(id, PolicyColumn.read(row.getString("policy"), "agent " + id));
                  return id;
                }));
    return out;
  }

  private static AgentInfo readAgent(ResultSet row) throws SQLException {
    String id = row.getString("id");
    return new AgentInfo(
        id,
        row.getString("name"),
        row.getString("kind"),
        row.getString("host"),
        JsonColumns.names(row.getString("labels"), "labels", "agent " + id),
        row.getInt("max_concurrent"),
        row.getInt("running"),
        instant(row, "started_at"),
        instant(row, "heartbeat_at"),
        instant(row, "stopped_at"));
  }
}
