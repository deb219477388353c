package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.Backend;
import dev.gantry.backend.BackendContractTest;
import dev.gantry.backend.BackendException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on PostgreSQL, in a schema of its own that is dropped afterwards. The server
 * is {@code GANTRY_TEST_PG_URL} (default: the local one); without it the tests are skipped, unless
 * {@code CI=true}, where they fail.
 */
class PostgresBackendTest extends BackendContractTest {

  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private String serverUrl;
  private String schema;
  private String schemaUrl;

  @BeforeAll
  void createSchema() throws SQLException {
    String configured = System.getenv("GANTRY_TEST_PG_URL");
    serverUrl = configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    schema = "gantry_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = connect(serverUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    schemaUrl = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  @AfterAll
  void dropSchema() throws SQLException {
    if (schemaUrl == null) {
      return;
    }
    try (Connection connection = connect(serverUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Override
  protected Backend openBackend() {
    return JdbcBackend.open(schemaUrl);
  }

  @Override
  protected void deleteAllRows() {
    TestDatabases.deleteAllRows(schemaUrl, null, null);
  }

  @Test
  void aMissingDatabaseIsNamedInTheError() {
    String url = serverUrl.replaceFirst("/[^/?]+(\\?|$)", "/gantry_no_such_database$1");

    assertThatThrownBy(() -> JdbcBackend.open(url))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("cannot open the Gantry database at " + JdbcUrls.redact(url))
        .hasMessageContaining("gantry_no_such_database")
        .hasMessageEndingWith("; check --db / GANTRY_DB_URL");
  }

  /** Connects for setup, or skips (fails on CI) the suite when PostgreSQL does not answer. */
  private static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", "3");
    properties.setProperty("loginTimeout", "3");
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      String reason =
          "PostgreSQL is not reachable at " + JdbcUrls.redact(url) + ": " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason + " (CI=true: PostgreSQL tests must run)", e);
      }
      return Assumptions.abort(reason + "; set GANTRY_TEST_PG_URL to run these tests");
    }
  }
}
