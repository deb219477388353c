package dev.gantry.backend.jdbc;

import dev.gantry.backend.Backend;
import dev.gantry.backend.ScheduleFireStoreContractTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;

/**
 * The schedule fire store contract on PostgreSQL ({@code GANTRY_TEST_PG_URL}, default the local
 * server), in a schema of its own; skipped when PostgreSQL does not answer, unless {@code CI=true}.
 */
class PostgresScheduleFireStoreTest extends ScheduleFireStoreContractTest {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private String serverUrl;
  private String schema;

  @Override
  protected Backend openBackend() {
    String configured = System.getenv("GANTRY_TEST_PG_URL");
    serverUrl = configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    schema = "gantry_fires_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE SCHEMA " + schema);
    return JdbcBackend.open(
        serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema);
  }

  @AfterAll
  void dropSchema() {
    if (schema != null) {
      execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private void execute(String sql) {
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", "3");
    Connection connection;
    try {
      connection = DriverManager.getConnection(serverUrl, properties);
    } catch (SQLException e) {
      String reason = "PostgreSQL is not reachable at " + JdbcUrls.redact(serverUrl) + ": " + e;
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason + " (CI=true: PostgreSQL tests must run)", e);
      }
      Assumptions.abort(reason + "; set GANTRY_TEST_PG_URL to run these tests");
      return;
    }
    try (connection;
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run " + sql + ": " + e.getMessage(), e);
    }
  }
}
