package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.FlowStore;
import dev.gantry.flows.BundleFormat;
import dev.gantry.flows.NewFlowVersion;
import dev.gantry.flows.RegisteredFlow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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
          + " registered_at";

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
    update(
        c,
        "INSERT INTO flows (name, version, format, location, digest, factory, image, labels,"
            + " secrets, parameters, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        db.now());
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
                "SELECT "
                    + COLUMNS
                    + " FROM flows f WHERE version ="
                    + " (SELECT MAX(g.version) FROM flows g WHERE g.name = f.name) ORDER BY name",
                JdbcFlowStore::readFlow));
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
        instant(row, "registered_at"));
  }
}
