package dev.gantry.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the test PostgreSQL server ({@code GANTRY_TEST_PG_URL}, default the local
 * one), dropped on close. Without a server the test is skipped — unless {@code CI=true}, where it
 * fails.
 */
public final class PostgresSchema implements AutoCloseable {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private final String serverUrl;
  private final String schema;
  private final String url;

  private PostgresSchema(String serverUrl, String schema) {
    this.serverUrl = serverUrl;
    this.schema = schema;
    this.url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  public static PostgresSchema create() {
    String configured = System.getenv("GANTRY_TEST_PG_URL");
    String serverUrl = configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    String schema = "gantry_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = connect(serverUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create schema " + schema + ": " + e, e);
    }
    return new PostgresSchema(serverUrl, schema);
  }

  /** The JDBC URL of this schema. */
  public String url() {
    return url;
  }

  @Override
  public void close() {
    try (Connection connection = connect(serverUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop schema " + schema + ": " + e, e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", "3");
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      if (!"true".equals(System.getenv("CI"))) {
        Assumptions.abort("PostgreSQL is not reachable at " + url + ": " + e.getMessage());
      }
      throw e;
    }
  }
}
