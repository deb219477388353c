package dev.gantry.bench;

import dev.gantry.backend.jdbc.LabelSets;
import dev.gantry.bench.DispatchBenchmark.Poll;
import dev.gantry.catalog.RegisteredFlow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The poll: fills {@code flow_runs} with finished and then due runs straight in SQL (far faster
 * than through the store), and samples the claim statement with {@link ClaimStatementProbe}.
 */
final class PollPhase {

  private static final int POLL_SAMPLES = 200;

  /** The empty label set's id; the dispatch phases' runs (created by the store) recorded it. */
  private static final String EMPTY_LABEL_SET = "(SELECT id FROM label_sets WHERE label_count = 0)";

  private final BenchOutput out;
  private final String url;

  PollPhase(BenchOutput out, String url) {
    this.out = out;
    this.url = url;
  }

  /** Adds finished runs until the table holds {@code total} of them. */
  void topUpFinishedRuns(RegisteredFlow flow, int total) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      int finished = finishedRuns(c);
      if (finished < total) {
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
                    + " scheduled_at, created_at, updated_at, started_at, ended_at, label_set_id)"
                    + " SELECT gen_random_uuid()::text, ?, 'Success', 1, 'bench', '{}',"
                    + " now() - g * interval '1 ms', now(), now(), now(), now(), "
                    + EMPTY_LABEL_SET
                    + " FROM generate_series(1, ?) g")) {
          insert.setLong(1, flow.id());
          insert.setInt(2, total - finished);
          insert.executeUpdate();
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE flow_runs");
        s.execute("ANALYZE run_labels");
      }
      out.say("poll: %d finished runs in the table", Math.max(total, finished));
    }
  }

  /** Queues {@code count} due runs without labels, which the measured agent may take. */
  void queueDueRuns(RegisteredFlow flow, int count) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      queue(c, flow, count, EMPTY_LABEL_SET);
    }
  }

  /**
   * Queues {@code count} due runs labelled {@code label}, which no agent of the benchmark has: the
   * label-mismatch pile-up every agent's poll must not pay for.
   */
  void queueUnclaimableRuns(RegisteredFlow flow, int count, String label) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      long set = LabelSets.idOf(c, Set.of(label));
      queue(c, flow, count, Long.toString(set));
      try (PreparedStatement labels =
          c.prepareStatement(
              "INSERT INTO run_labels (run_id, label) SELECT id, ? FROM flow_runs"
                  + " WHERE label_set_id = ?")) {
        labels.setString(1, label);
        labels.setLong(2, set);
        labels.executeUpdate();
      }
      c.commit();
      c.setAutoCommit(true); // ANALYZE inside an open transaction would be rolled back at close
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE flow_runs");
      }
    }
  }

  private static void queue(Connection c, RegisteredFlow flow, int count, String labelSet)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO flow_runs (id, flow_id, state, attempt, parameters, scheduled_at,"
                + " created_at, updated_at, label_set_id) SELECT gen_random_uuid()::text, ?,"
                + " 'Scheduled', 0, '{}', now() - g * interval '1 ms', now(), now(), "
                + labelSet
                + " FROM generate_series(1, ?) g")) {
      insert.setLong(1, flow.id());
      insert.setInt(2, count);
      insert.executeUpdate();
    }
    if (c.getAutoCommit()) {
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE flow_runs");
      }
    }
  }

  /**
   * Samples the claim of up to {@code maxConcurrent} runs with {@code due} runs queued (and {@code
   * unclaimable} due runs no agent can take).
   */
  Poll measure(int due, int unclaimable, int maxConcurrent) throws SQLException {
    int finished;
    try (Connection c = DriverManager.getConnection(url)) {
      finished = finishedRuns(c);
    }
    List<Double> poll = new ArrayList<>();
    List<Double> claim = new ArrayList<>();
    List<Double> roundTrip = new ArrayList<>();
    PollMeasurement last = null;
    try (ClaimStatementProbe probe = new ClaimStatementProbe(url)) {
      for (int i = 0; i < POLL_SAMPLES; i++) {
        last = probe.measure(maxConcurrent);
        poll.add(last.pollMillis());
        claim.add(last.claimMillis());
        roundTrip.add(last.claimRoundTripMillis());
      }
    }
    Collections.sort(poll);
    Collections.sort(claim);
    Collections.sort(roundTrip);
    Poll measured =
        new Poll(
            finished,
            due,
            unclaimable,
            Percentiles.ofTimings(poll, 50),
            Percentiles.ofTimings(poll, 99),
            Percentiles.ofTimings(claim, 50),
            Percentiles.ofTimings(claim, 99),
            Percentiles.ofTimings(roundTrip, 50),
            Percentiles.ofTimings(roundTrip, 99),
            last.pollPlan(),
            last.claimPlan());
    out.say(
        "%d finished, %d due and %d unclaimable due runs: poll p50 %.3f ms, p99 %.3f ms; claim statement (claims %d)"
            + " p50 %.3f ms, p99 %.3f ms, round trip p99 %.3f ms",
        finished,
        due,
        unclaimable,
        measured.pollP50(),
        measured.pollP99(),
        last.claimed(),
        measured.claimP50(),
        measured.claimP99(),
        measured.roundTripP99());
    return measured;
  }

  private static int finishedRuns(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT COUNT(*) FROM flow_runs WHERE state = 'Success'")) {
      row.next();
      return row.getInt(1);
    }
  }
}
