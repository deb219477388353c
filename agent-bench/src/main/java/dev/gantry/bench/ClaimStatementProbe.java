package dev.gantry.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the agents' PostgreSQL claim statement for an agent without labels, on a connection of
 * its own: executes it and explains it with {@code EXPLAIN (ANALYZE, BUFFERS)} in a transaction
 * that is rolled back, so nothing is claimed.
 *
 * <p>The statements are copies of the backend's ({@code dev.gantry.backend.jdbc.PostgresRunClaimer}
 * with the label rule of an agent without labels and the unlimited-flow condition), so the backend
 * needs no measuring hook; {@code ClaimStatementProbeTest} fails when the two drift apart.
 */
final class ClaimStatementProbe implements AutoCloseable {

  private static final String AGENT = "measurement";
  private static final Duration LEASE = Duration.ofSeconds(30);

  /**
   * The poll: per label set an agent without labels covers (the empty set), its oldest due runs of
   * flows without a concurrency limit; the oldest of them.
   */
  private static final String POLL =
      "SELECT x.id, x.scheduled_at FROM ("
          + "SELECT s.id FROM label_sets s WHERE s.label_count = 0"
          + ") s CROSS JOIN LATERAL ("
          + "SELECT r.id, r.scheduled_at FROM flow_runs r WHERE r.state = ? AND r.label_set_id = s.id"
          + " AND r.scheduled_at <= ? AND "
          + "r.flow_id NOT IN (SELECT lf.id FROM flows lf JOIN flow_limits fl ON fl.flow_name = lf.name)"
          + " ORDER BY r.scheduled_at, r.id LIMIT ? FOR UPDATE OF r SKIP LOCKED"
          + ") x ORDER BY x.scheduled_at, x.id LIMIT ?";

  /** The claim statement: the poll, the claim of the picked runs and their history rows. */
  static final String CLAIM =
      "WITH picked AS ("
          + POLL
          + "),"
          + " claimed AS (UPDATE flow_runs u SET state = ?, attempt = u.attempt + 1, agent_id = ?,"
          + " updated_at = ?, message = NULL, lease_expires_at = ?"
          + " WHERE u.id = ANY (ARRAY(SELECT id FROM picked)) AND u.state = ?"
          + " RETURNING u.id, u.state, u.attempt, u.agent_id, u.updated_at, u.message)"
          + " INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
          + " SELECT id, state, attempt, agent_id, updated_at, message FROM claimed"
          + " RETURNING run_id";

  private final Connection connection;

  ClaimStatementProbe(String url) throws SQLException {
    this.connection = DriverManager.getConnection(url);
    this.connection.setAutoCommit(false);
  }

  /** One measurement of a claim of up to {@code max} runs. */
  PollMeasurement measure(int max) throws SQLException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    List<Object> pollParams = List.of("Scheduled", utc(now), max, max);
    List<Object> claimParams = new ArrayList<>(pollParams);
    claimParams.addAll(List.of("Submitted", AGENT, utc(now), utc(now.plus(LEASE)), "Scheduled"));
    try {
      Savepoint start = connection.setSavepoint();
      List<String> pollPlan = explain(POLL, pollParams);
      connection.rollback(start);
      long started = System.nanoTime();
      int claimed = lines(CLAIM, claimParams).size();
      long roundTripNanos = System.nanoTime() - started;
      connection.rollback(start);
      List<String> claimPlan = explain(CLAIM, claimParams);
      return new PollMeasurement(claimed, roundTripNanos / 1_000_000.0, pollPlan, claimPlan);
    } finally {
      connection.rollback();
    }
  }

  private List<String> explain(String sql, List<Object> params) throws SQLException {
    return lines("EXPLAIN (ANALYZE, BUFFERS) " + sql, params);
  }

  /** The first column of each row the statement returns. */
  private List<String> lines(String sql, List<Object> params) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        statement.setObject(i + 1, params.get(i));
      }
      List<String> lines = new ArrayList<>();
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          lines.add(row.getString(1));
        }
      }
      return lines;
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
