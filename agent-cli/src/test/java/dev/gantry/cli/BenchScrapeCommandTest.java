package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code gantry bench scrape} on a small seed: a real agent with its health port holds its runs in
 * flight, /metrics is timed over HTTP beside /health/live, no scrape reaches the database, the exit
 * code follows the printed verdict, and the benchmark's schema is gone afterwards. On {@code
 * GANTRY_TEST_PG_URL} (default the local server); skipped without PostgreSQL unless {@code
 * CI=true}, where it fails.
 */
class BenchScrapeCommandTest {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  @Test
  void timesScrapesOfAnAgentWithRunsInFlightAndFindsNoDatabaseCallInThem() throws Exception {
    String url = serverUrl();

    CliResult result =
        CliResult.run(
            "bench",
            "scrape",
            "--db",
            url,
            "--runs",
            "2000",
            "--in-flight",
            "7",
            "--samples",
            "50");

    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .contains("seeded 2,000 runs")
        .contains("7 runs in flight")
        // the seed's 1 % Running runs (kept by their own live agents, not adopted) and the 7 held
        .contains("gantry_runs{state=\"running\"} 27 ")
        .contains("| GET /metrics | ")
        .contains("| GET /health/live (baseline) | ")
        .containsPattern(
            "\\| the registry's render alone, in process \\(no HTTP\\) \\| [0-9.]+ ms \\|")
        .containsPattern("TCP_NODELAY \\(-Dsun.net.httpserver.nodelay\\): (on|off)")
        .containsPattern("ratio /metrics to /health/live: p50 [0-9.]+, p99 [0-9.]+")
        .contains("database calls on the health thread: 0 during 100 scrapes");
    Matcher control =
        Pattern.compile("/health/ready, the control, made (\\d+)").matcher(result.out());
    assertThat(control.find()).isTrue();
    assertThat(Long.parseLong(control.group(1))).isPositive();
    Matcher goal = Pattern.compile("/metrics p99 <= 10 ms: (met|MISSED)").matcher(result.out());
    assertThat(goal.find()).as(result.out()).isTrue();
    assertThat(result.exitCode()).isEqualTo(goal.group(1).equals("met") ? 0 : 1);
    Matcher schema =
        Pattern.compile("schema (gantry_bench_scrape_[0-9a-f]+)").matcher(result.out());
    assertThat(schema.find()).isTrue();
    assertThat(schemaExists(url, schema.group(1))).isFalse();
  }

  @Test
  void refusesADatabaseThatIsNotPostgresql() {
    CliResult result = CliResult.run("bench", "scrape", "--db", "jdbc:h2:mem:x");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.err()).contains("--db must be a PostgreSQL JDBC URL");
    assertThat(result.out()).isEmpty();
  }

  private static boolean schemaExists(String url, String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement query =
            c.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
      query.setString(1, schema);
      try (ResultSet row = query.executeQuery()) {
        return row.next();
      }
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
