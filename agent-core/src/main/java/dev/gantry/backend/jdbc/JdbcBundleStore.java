package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BundleStore;
import dev.gantry.domain.RunFence;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link BundleStore} on the {@code bundle_pushes} and {@code run_bundles} tables. */
final class JdbcBundleStore implements BundleStore {
  private static final String PUSH_COLUMNS =
      "SELECT p.id, p.flow_id, f.name, f.version, p.digest, p.pushed_at, p.pushed_by"
          + " FROM bundle_pushes p JOIN flows f ON f.id = p.flow_id";

  private final Database db;

  JdbcBundleStore(Database db) {
    this.db = db;
  }

  @Override
  public BundlePush recordPush(long flowId, String digest, String pushedBy) {
    Instant at = db.now();
    return db.transaction(
        "record a push to flow version " + flowId,
        c -> {
          update(
              c,
              "INSERT INTO bundle_pushes (flow_id, digest, pushed_at, pushed_by) VALUES (?, ?, ?, ?)",
              flowId,
              digest,
              at,
              Database.fit(pushedBy, 100));
          return queryOne(
                  c,
                  PUSH_COLUMNS + " WHERE p.flow_id = ? ORDER BY p.id DESC LIMIT 1",
                  JdbcBundleStore::push,
                  flowId)
              .orElseThrow();
        });
  }

  @Override
  public List<BundlePush> pushes(String flowName) {
    return db.read(
        "list the pushes of flow " + flowName,
        c ->
            query(
                c,
                PUSH_COLUMNS + " WHERE f.name = ? ORDER BY p.id DESC",
                JdbcBundleStore::push,
                flowName));
  }

  @Override
  public Optional<BundlePush> push(long flowId, String digest) {
    return db.read(
        "find a push to flow version " + flowId,
        c ->
            queryOne(
                c,
                PUSH_COLUMNS + " WHERE p.flow_id = ? AND p.digest = ? ORDER BY p.id DESC LIMIT 1",
                JdbcBundleStore::push,
                flowId,
                digest));
  }

  @Override
  public boolean recordRunBundle(RunFence fence, String digest, String build) {
    Instant at = db.now();
    return db.transaction(
        "record the bundle of run " + fence.runId(),
        c -> {
          boolean current =
              queryOne(
                      c,
                      "SELECT 1 AS one FROM flow_runs WHERE id = ? AND attempt = ? AND agent_id = ?",
                      row -> true,
                      fence.runId(),
                      fence.attempt(),
                      fence.agentId())
                  .isPresent();
          if (!current) {
            return false;
          }
          update(
              c,
              "DELETE FROM run_bundles WHERE run_id = ? AND attempt = ?",
              fence.runId(),
              fence.attempt());
          update(
              c,
              "INSERT INTO run_bundles (run_id, attempt, digest, build, recorded_at)"
                  + " VALUES (?, ?, ?, ?, ?)",
              fence.runId(),
              fence.attempt(),
              Database.fit(digest, 64),
              build == null ? null : Database.fit(build, 500),
              at);
          return true;
        });
  }

  @Override
  public Optional<RunBundle> runBundle(String runId, int attempt) {
    return db.read(
        "read the bundle of run " + runId,
        c ->
            queryOne(
                c,
                "SELECT run_id, attempt, digest, build, recorded_at FROM run_bundles"
                    + " WHERE run_id = ? AND attempt = ?",
                row ->
                    new RunBundle(
                        row.getString("run_id"),
                        row.getInt("attempt"),
                        row.getString("digest"),
                        row.getString("build"),
                        instant(row, "recorded_at")),
                runId,
                attempt));
  }

  private static BundlePush push(ResultSet row) throws SQLException {
    return new BundlePush(
        row.getLong(1),
        row.getLong(2),
        row.getString(3),
        row.getInt(4),
        row.getString(5),
        instant(row, "pushed_at"),
        row.getString(7));
  }
}
