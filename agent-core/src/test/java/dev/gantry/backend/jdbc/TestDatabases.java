package dev.gantry.backend.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Direct JDBC access to a test database, beside the backend under test. */
final class TestDatabases {

  /** Gantry's tables, children before parents. */
  private static final List<String> TABLES =
      List.of(
          "run_bundles",
          "bundle_pushes",
          "run_logs",
          "task_runs",
          "run_states",
          "run_labels",
          "flow_runs",
          "flows",
          "flow_limits",
          "flow_schedules",
          "schedule_fire_failures",
          "agents");

  private TestDatabases() {}

  static void deleteAllRows(String jdbcUrl, String user, String password) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
        Statement statement = connection.createStatement()) {
      for (String table : TABLES) {
        statement.executeUpdate("DELETE FROM " + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty the test database: " + e.getMessage(), e);
    }
  }
}
