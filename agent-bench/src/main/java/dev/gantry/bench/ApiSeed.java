package dev.gantry.bench;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.backend.jdbc.LabelSets;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fills a fresh Gantry schema on PostgreSQL with runs for the API benchmark, set-based (INSERT …
 * SELECT generate_series), in the real schema of db/migration: a few flows, label sets (and each
 * run's labels), runs spread over states and agents, one newest first every 2 s, each with its
 * state history (Scheduled, then Submitted, Running and its end for the runs that got that far),
 * and one Running run with a long log. No task rows: none of the measured routes read them. The
 * scrape benchmark ({@code dev.gantry.bench.scrape}) seeds its runs with it too, without a log.
 */
public final class ApiSeed {
  /** The flows the runs belong to, in turn. */
  public static final List<String> FLOWS = List.of("etl", "report", "ingest", "cleanup");

  /** The run whose log the benchmark pages through; it is Running, so an agent may append. */
  public record Seeded(String logRunId, int logRunAttempt, String logRunAgent, long firstLogId) {}

  private static final List<Set<String>> LABEL_SETS =
      List.of(Set.of(), Set.of("gpu"), Set.of("eu"), Set.of("gpu", "eu"));

  private final String url;
  private final BenchOutput out;

  public ApiSeed(String url, BenchOutput out) {
    this.url = url;
    this.out = out;
  }

  /** Seeds {@code runs} runs and a log of {@code logLines} lines; returns the log's run. */
  public Seeded seed(JdbcBackend backend, int runs, int logLines) throws SQLException {
    List<Long> flowIds = new ArrayList<>();
    for (String name : FLOWS) {
      RegisteredFlow flow =
          backend
              .flows()
              .register(
                  new NewFlowVersion(
                      name,
                      BundleFormat.module,
                      "module:dev.gantry.bench.Noop#" + name,
                      null,
                      "dev.gantry.bench.Noop#" + name,
                      null,
                      List.of(),
                      Set.of(),
                      List.of()));
      flowIds.add(flow.id());
    }
    long started = System.nanoTime();
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      List<Long> setIds = new ArrayList<>();
      for (Set<String> labels : LABEL_SETS) {
        setIds.add(LabelSets.idOf(c, labels));
      }
      Array flows = c.createArrayOf("bigint", flowIds.toArray());
      Array sets = c.createArrayOf("bigint", setIds.toArray());
      // g = 1 is the oldest run; runs are created 2 s apart up to now. States by g % 100:
      // 0-1 Scheduled, 2 Running, 3 Crashed, 4-6 Cancelled, 7-14 Failed, the rest Success.
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
                  + " scheduled_at, created_at, updated_at, started_at, ended_at, message,"
                  + " label_set_id)"
                  + " SELECT id, flow_id, state, CASE WHEN state = 'Scheduled' THEN 0 ELSE 1 END,"
                  + " CASE WHEN state = 'Scheduled' THEN NULL ELSE 'agent-' || (g % 8) END, '{}',"
                  + " at, at, at + interval '1 minute',"
                  + " CASE WHEN state = 'Scheduled' THEN NULL ELSE at + interval '1 second' END,"
                  + " CASE WHEN state IN ('Scheduled', 'Running') THEN NULL"
                  + " ELSE at + interval '1 minute' END, NULL, label_set"
                  + " FROM (SELECT g, gen_random_uuid()::text AS id,"
                  + " (?::bigint[])[1 + g % 4] AS flow_id, (?::bigint[])[1 + (g / 4) % 4] AS label_set,"
                  + " now() - (? - g) * interval '2 seconds' AS at,"
                  + " CASE WHEN g % 100 < 2 THEN 'Scheduled' WHEN g % 100 = 2 THEN 'Running'"
                  + " WHEN g % 100 = 3 THEN 'Crashed' WHEN g % 100 < 7 THEN 'Cancelled'"
                  + " WHEN g % 100 < 15 THEN 'Failed' ELSE 'Success' END AS state"
                  + " FROM generate_series(1, ?) g) s")) {
        insert.setArray(1, flows);
        insert.setArray(2, sets);
        insert.setInt(3, runs);
        insert.setInt(4, runs);
        insert.executeUpdate();
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate(
            "INSERT INTO run_labels (run_id, label) SELECT r.id, l.label FROM flow_runs r"
                + " JOIN label_set_labels l ON l.label_set_id = r.label_set_id");
        // Histories in id order: every Scheduled first, so each run's rows read in order.
        s.executeUpdate(
            "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
                + " SELECT id, 'Scheduled', 0, NULL, created_at, NULL FROM flow_runs");
        s.executeUpdate(
            "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
                + " SELECT id, 'Submitted', 1, agent_id, started_at - interval '500 milliseconds',"
                + " NULL FROM flow_runs WHERE state <> 'Scheduled'");
        s.executeUpdate(
            "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
                + " SELECT id, 'Running', 1, agent_id, started_at, NULL FROM flow_runs"
                + " WHERE state <> 'Scheduled'");
        s.executeUpdate(
            "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
                + " SELECT id, state, 1, agent_id, ended_at, NULL FROM flow_runs"
                + " WHERE ended_at IS NOT NULL");
      }
      c.commit();
      Seeded seeded = seedLog(c, logLines);
      c.commit();
      c.setAutoCommit(true); // ANALYZE in an open transaction would be rolled back at close
      try (Statement s = c.createStatement()) {
        for (String table :
            List.of("flow_runs", "run_labels", "run_states", "run_logs", "label_sets")) {
          s.execute("ANALYZE " + table);
        }
      }
      out.say(
          "seeded %,d runs with their state history and labels, and %,d log lines, in %.0f s",
          runs, logLines, (System.nanoTime() - started) / 1e9);
      return seeded;
    }
  }

  private static Seeded seedLog(Connection c, int lines) throws SQLException {
    String runId;
    String agent;
    try (Statement s = c.createStatement();
        var row =
            s.executeQuery(
                "SELECT id, agent_id FROM flow_runs WHERE state = 'Running'"
                    + " ORDER BY created_at DESC LIMIT 1")) {
      row.next();
      runId = row.getString("id");
      agent = row.getString("agent_id");
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO run_logs (run_id, attempt, logged_at, level, source, task_name, message)"
                + " SELECT ?, 1, now() - (? - g) * interval '1 millisecond', 'INFO', 'task',"
                + " 'extract', 'row ' || g || ' of the extract: ' || md5(g::text)"
                + " FROM generate_series(1, ?) g")) {
      insert.setString(1, runId);
      insert.setInt(2, lines);
      insert.setInt(3, lines);
      insert.executeUpdate();
    }
    long first;
    try (PreparedStatement min =
        c.prepareStatement("SELECT MIN(id) FROM run_logs WHERE run_id = ?")) {
      min.setString(1, runId);
      try (var row = min.executeQuery()) {
        row.next();
        first = row.getLong(1);
      }
    }
    return new Seeded(runId, 1, agent, first);
  }
}
