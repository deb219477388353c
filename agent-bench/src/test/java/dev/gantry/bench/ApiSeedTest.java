package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.RunSearch;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.home.GantryHome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API benchmark's seed writes rows the backend reads back as it reads its own: runs in every
 * state with their history and labels, pages through the keyset search, a Running run whose log an
 * agent's fenced append extends. On {@code GANTRY_TEST_PG_URL} (default the local server); skipped
 * without PostgreSQL unless {@code CI=true}, where it fails.
 */
class ApiSeedTest {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  @TempDir Path home;

  @Test
  void seededRunsHistoriesLabelsAndLogsReadBackThroughTheBackend() throws Exception {
    String server = serverUrl();
    String schema = "gantry_seed_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    execute(server, "CREATE SCHEMA " + schema);
    String url = server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    try (DatabaseGantryClient gantry = GantryClient.open(new GantryHome(home), url)) {
      ApiSeed.Seeded seeded =
          new ApiSeed(url, new BenchOutput(new PrintWriter(new StringWriter())))
              .seed((JdbcBackend) gantry.backend(), 2000, 1500);

      Set<String> seen = new HashSet<>();
      RunSearch.RunCursor after = null;
      do {
        RunSearch.RunPage page = gantry.searchRuns(RunSearch.RunFilter.any(), after, 300);
        page.runs().forEach(run -> assertThat(seen.add(run.id())).isTrue());
        after = page.next();
      } while (after != null);
      assertThat(seen).hasSize(2000);

      List<FlowRun> failed =
          gantry
              .searchRuns(
                  new RunSearch.RunFilter("etl", Set.of(RunState.Failed), null, null, null, null),
                  null,
                  500)
              .runs();
      assertThat(failed).hasSize(2000 / 4 * 8 / 100).allMatch(r -> r.flowName().equals("etl"));
      FlowRun one = failed.get(0);
      assertThat(gantry.history(one.id()))
          .extracting(StateChange::state)
          .containsExactly(
              RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Failed);
      assertThat(
              gantry
                  .searchRuns(
                      new RunSearch.RunFilter(null, Set.of(), "gpu", null, null, null), null, 500)
                  .runs())
          .hasSize(500)
          .allMatch(r -> r.labels().contains("gpu"));

      FlowRun logged = gantry.run(seeded.logRunId());
      assertThat(logged.state()).isEqualTo(RunState.Running);
      assertThat(gantry.logs(logged.id(), seeded.firstLogId() - 1, 5000)).hasSize(1500);
      assertThat(
              gantry
                  .backend()
                  .runs()
                  .appendLogs(
                      new dev.gantry.domain.RunFence(
                          logged.id(), seeded.logRunAttempt(), seeded.logRunAgent()),
                      List.of(
                          new dev.gantry.domain.LogRecord(
                              0, logged.id(), null, "INFO", "task", "load", "appended"))))
          .isTrue();
      assertThat(gantry.logs(logged.id(), seeded.firstLogId() - 1, 5000)).hasSize(1501);
    } finally {
      execute(server, "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String serverUrl() {
    String configured = System.getenv("GANTRY_TEST_PG_URL");
    String url = configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(url, properties)) {
      return url;
    } catch (SQLException e) {
      String reason = "PostgreSQL is not reachable: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason + " (CI=true: PostgreSQL tests must run)", e);
      }
      return Assumptions.abort(reason + "; set GANTRY_TEST_PG_URL to run this test");
    }
  }
}
