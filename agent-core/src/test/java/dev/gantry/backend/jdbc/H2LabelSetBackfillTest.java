package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.FlowRun;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs created before label sets existed (schema V4) are pointed at their sets by V6, so an
 * upgraded database keeps handing each run to the agents that cover its labels.
 */
class H2LabelSetBackfillTest {

  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

  @TempDir Path home;

  @Test
  void runsFromBeforeLabelSetsAreClaimedByTheAgentsThatCoverThem() throws SQLException {
    String url = JdbcBackend.embeddedUrl(home);
    Flyway.configure()
        .dataSource(url, "sa", "")
        .locations("classpath:db/migration")
        .target("4")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO flows (id, name, version, format, labels, secrets, parameters,"
              + " registered_at) VALUES (1, 'etl', 1, 'module', '[]', '[]', '[]', TIMESTAMP WITH"
              + " TIME ZONE '2025-03-01 11:00:00+00')");
      for (String[] run : new String[][] {{"plain", ""}, {"gpu", "gpu"}, {"gpu-eu", "gpu,eu"}}) {
        s.execute(
            "INSERT INTO flow_runs (id, flow_id, state, attempt, parameters, scheduled_at,"
                + " created_at, updated_at) VALUES ('"
                + run[0]
                + "', 1, 'Scheduled', 0, '{}', TIMESTAMP WITH TIME ZONE '2025-03-01 11:00:00+00',"
                + " TIMESTAMP WITH TIME ZONE '2025-03-01 11:00:00+00',"
                + " TIMESTAMP WITH TIME ZONE '2025-03-01 11:00:00+00')");
        for (String label : run[1].isEmpty() ? new String[0] : run[1].split(",")) {
          s.execute(
              "INSERT INTO run_labels (run_id, label) VALUES ('" + run[0] + "', '" + label + "')");
        }
      }
    }

    try (JdbcBackend backend = JdbcBackend.open(url)) {
      assertThat(backend.runs().claimDue("a", Set.of("eu"), 10, T0)).isEmpty();
      assertThat(backend.runs().claimDue("b", Set.of("gpu"), 10, T0))
          .extracting(FlowRun::id)
          .containsExactly("gpu");
      assertThat(backend.runs().claimDue("c", Set.of(), 10, T0))
          .extracting(FlowRun::id)
          .containsExactly("plain");
      assertThat(backend.runs().claimDue("d", Set.of("eu", "gpu", "x"), 10, T0))
          .extracting(FlowRun::id)
          .containsExactly("gpu-eu");
    }
  }
}
