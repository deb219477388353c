package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code gantry bench dispatch} end to end with small numbers, on {@code GANTRY_TEST_PG_URL}
 * (default: the local server); skipped without PostgreSQL unless {@code CI=true}, where it fails.
 */
class DispatchBenchmarkTest {

  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  @Test
  void measuresDispatchTheFloorAndThePollWithoutDuplicatesOrLostRuns() throws Exception {
    String url = serverUrl();
    StringWriter printed = new StringWriter();

    DispatchBenchmark.Report report =
        new DispatchBenchmark(
                new DispatchBenchmark.Settings(url, 20, 50, List.of(1, 2), 4, 500),
                new PrintWriter(printed))
            .run();

    assertThat(report.exact()).isTrue();
    assertThat(report.phases()).extracting(DispatchBenchmark.Phase::agents).containsExactly(1, 2);
    assertThat(report.phases()).allSatisfy(p -> assertThat(p.p50Millis()).isNotNegative());
    assertThat(report.updatesPerSecondOne()).isPositive();
    assertThat(report.idle().finishedRuns()).isGreaterThanOrEqualTo(500);
    assertThat(report.idle().dueRuns()).isZero();
    assertThat(report.busy().dueRuns()).isEqualTo(1_000);
    assertThat(report.unclaimable().unclaimableRuns()).isEqualTo(100_000);
    assertThat(report.unclaimable().dueRuns()).isZero();
    assertThat(report.busy().pollPlan()).anyMatch(line -> line.contains("Execution Time"));
    assertThat(report.busy().claimPlan()).anyMatch(line -> line.contains("Execution Time"));
    // The probe's copy of the claim statement claims what an agent would: none idle, its slots
    // busy.
    assertThat(printed.toString())
        .contains("0 due and 0 unclaimable due runs: poll")
        .contains("0 due and 100000 unclaimable due runs: poll")
        .contains("claim statement (claims 4)")
        .contains("no duplicates or lost runs: met");
  }

  @Test
  void aServerOtherThanPostgresqlIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new DispatchBenchmark.Settings("jdbc:h2:mem:x", 1, 1, List.of(1), 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs on PostgreSQL");
  }

  private static String serverUrl() {
    String configured = System.getenv("GANTRY_TEST_PG_URL");
    String url = configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", "3");
    properties.setProperty("loginTimeout", "3");
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
