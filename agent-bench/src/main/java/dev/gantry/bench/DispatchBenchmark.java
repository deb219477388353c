package dev.gantry.bench;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.launch.noop.NoopLauncher;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code gantry bench dispatch}: how fast and how exactly agents dispatch runs on PostgreSQL, with
 * the database's own floor beside it, in one run, in a schema of its own that is dropped at the
 * end.
 *
 * <ol>
 *   <li>For 1 and then 3 agents (each with its own pool and the {@link NoopLauncher}): runs created
 *       at a steady rate, due at creation; latency is due → the launcher's {@code launch} call.
 *       Then a backlog of runs, all due, drained by freshly started agents: throughput.
 *   <li>Every phase counts duplicates (a run launched more than once) and lost runs (not ended
 *       Success).
 *   <li>The floor: single-row UPDATEs per second on the same database, from 1 and from 8
 *       connections.
 *   <li>The poll: the agents' claim statement with that many finished runs in the table, idle, with
 *       100,000 due runs labelled for no agent (the label-mismatch pile-up) and with those plus a
 *       queue of due runs (executed and explained in transactions that are rolled back).
 * </ol>
 *
 * <p>This class holds the figures and runs the steps in order: {@link DispatchPhase}, {@link
 * DatabaseFloor}, {@link PollPhase}; {@link BenchOutput} prints them.
 */
public final class DispatchBenchmark {

  /**
   * What to measure.
   *
   * @param serverUrl the PostgreSQL server ({@code jdbc:postgresql://...}); a schema is created in
   *     its database and dropped afterwards
   * @param runs runs per phase (latency and backlog each)
   * @param ratePerSecond creation rate of the latency phase
   * @param agentCounts the agent counts to measure, in order
   * @param maxConcurrent each agent's slots
   * @param finishedRuns finished runs in the table when the poll is measured
   */
  public record Settings(
      String serverUrl,
      int runs,
      int ratePerSecond,
      List<Integer> agentCounts,
      int maxConcurrent,
      int finishedRuns) {
    public Settings {
      if (!serverUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "the dispatch benchmark runs on PostgreSQL: give --db jdbc:postgresql://HOST/DB");
      }
      if (runs < 1 || ratePerSecond < 1 || maxConcurrent < 1 || finishedRuns < 0) {
        throw new IllegalArgumentException("--runs, --rate and --max-concurrent must be positive");
      }
      agentCounts = List.copyOf(agentCounts);
    }
  }

  /** The figures of one agent count. */
  public record Phase(
      int agents,
      int runs,
      int ratePerSecond,
      long p50Millis,
      long p99Millis,
      long maxMillis,
      double backlogRunsPerMinute,
      int duplicates,
      int lost) {}

  /**
   * Timings with that many finished and due runs in the table: the poll (selecting due runs) and
   * the whole claim statement, as the server executed them (EXPLAIN ANALYZE), and the claim
   * statement's round trip as the client saw it.
   */
  public record Poll(
      int finishedRuns,
      int dueRuns,
      int unclaimableRuns,
      double pollP50,
      double pollP99,
      double claimP50,
      double claimP99,
      double roundTripP50,
      double roundTripP99,
      List<String> pollPlan,
      List<String> claimPlan) {}

  /** Everything measured. */
  public record Report(
      List<Phase> phases,
      double updatesPerSecondOne,
      double updatesPerSecondEight,
      Poll idle,
      Poll unclaimable,
      Poll busy) {

    /** Whether no run was launched twice or lost. */
    public boolean exact() {
      return phases.stream().allMatch(p -> p.duplicates() == 0 && p.lost() == 0);
    }
  }

  private static final String FLOW = "bench-noop";
  private static final int QUEUED_RUNS = 1_000;
  private static final int UNCLAIMABLE_RUNS = 100_000;
  private static final String NOBODYS_LABEL = "bench-no-agent-has-this";

  private final Settings settings;
  private final BenchOutput out;

  public DispatchBenchmark(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = new BenchOutput(out);
  }

  public Report run() throws Exception {
    String schema =
        "gantry_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute(settings.serverUrl(), "CREATE SCHEMA " + schema);
    String url =
        settings.serverUrl()
            + (settings.serverUrl().contains("?") ? "&" : "?")
            + "currentSchema="
            + schema;
    try (JdbcBackend setup = JdbcBackend.open(url)) {
      out.say("schema %s on %s", schema, serverVersion(url));
      RegisteredFlow flow =
          setup
              .flows()
              .register(
                  new NewFlowVersion(
                      FLOW,
                      BundleFormat.module,
                      "module:dev.gantry.bench.Noop#flow",
                      null,
                      "dev.gantry.bench.Noop#flow",
                      null,
                      List.of(),
                      Set.of(),
                      List.of()));
      DispatchPhase dispatch = new DispatchPhase(settings, out, FLOW);
      List<Phase> phases = new ArrayList<>();
      for (int agents : settings.agentCounts()) {
        phases.add(dispatch.measure(setup, url, flow, agents));
      }
      double one = DatabaseFloor.updatesPerSecond(url, 1);
      double eight = DatabaseFloor.updatesPerSecond(url, 8);
      out.say("floor: %.0f single-row UPDATEs/s from 1 connection, %.0f from 8", one, eight);
      PollPhase poll = new PollPhase(out, url);
      poll.topUpFinishedRuns(flow, settings.finishedRuns());
      Poll idle = poll.measure(0, 0, settings.maxConcurrent());
      poll.queueUnclaimableRuns(flow, UNCLAIMABLE_RUNS, NOBODYS_LABEL);
      Poll unclaimable = poll.measure(0, UNCLAIMABLE_RUNS, settings.maxConcurrent());
      poll.queueDueRuns(flow, QUEUED_RUNS);
      Poll busy = poll.measure(QUEUED_RUNS, UNCLAIMABLE_RUNS, settings.maxConcurrent());
      Report report = new Report(phases, one, eight, idle, unclaimable, busy);
      out.print(report);
      return report;
    } finally {
      execute(settings.serverUrl(), "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static String serverVersion(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SHOW server_version")) {
      row.next();
      return "PostgreSQL " + row.getString(1);
    }
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
