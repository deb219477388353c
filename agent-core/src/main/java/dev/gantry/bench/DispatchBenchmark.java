package dev.gantry.bench;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.agent.SecretSource;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.backend.jdbc.PollMeasurement;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 *   <li>The poll: the agents' claim statement with that many finished runs in the table, idle and
 *       with a queue of due runs (executed and explained in transactions that are rolled back).
 * </ol>
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
      Poll busy) {

    /** Whether no run was launched twice or lost. */
    public boolean exact() {
      return phases.stream().allMatch(p -> p.duplicates() == 0 && p.lost() == 0);
    }
  }

  private static final String FLOW = "bench-noop";
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);
  private static final int POLL_SAMPLES = 200;
  private static final int QUEUED_RUNS = 1_000;
  private static final Duration FLOOR_TIME = Duration.ofSeconds(5);

  private final Settings settings;
  private final PrintWriter out;

  public DispatchBenchmark(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
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
      say("schema %s on %s", schema, serverVersion(url));
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
      List<Phase> phases = new ArrayList<>();
      for (int agents : settings.agentCounts()) {
        phases.add(measureDispatch(setup, url, flow, agents));
      }
      double one = updatesPerSecond(url, 1);
      double eight = updatesPerSecond(url, 8);
      say("floor: %.0f single-row UPDATEs/s from 1 connection, %.0f from 8", one, eight);
      topUpFinishedRuns(url, flow, settings.finishedRuns());
      Poll idle = measurePoll(setup, url, 0);
      queueDueRuns(url, flow, QUEUED_RUNS);
      Poll busy = measurePoll(setup, url, QUEUED_RUNS);
      Report report = new Report(phases, one, eight, idle, busy);
      print(report);
      return report;
    } finally {
      execute(settings.serverUrl(), "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private Phase measureDispatch(JdbcBackend producer, String url, RegisteredFlow flow, int count)
      throws Exception {
    say("%d agent(s): %d runs created at %d/s", count, settings.runs(), settings.ratePerSecond());
    Map<String, Instant> due = new ConcurrentHashMap<>();
    List<NoopLauncher.Launch> launches = new ArrayList<>();
    try (AgentGroup group = AgentGroup.start(url, count, settings.maxConcurrent())) {
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) / settings.ratePerSecond();
      long start = System.nanoTime();
      for (int i = 0; i < settings.runs(); i++) {
        long target = start + i * intervalNanos;
        for (long wait = target - System.nanoTime(); wait > 0; wait = target - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        FlowRun run =
            producer.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
        due.put(run.id(), run.scheduledAt());
      }
      group.awaitLaunched(due.keySet(), DRAIN_LIMIT);
      launches.addAll(group.launches());
    }
    List<Long> latencies = new ArrayList<>();
    Map<String, Instant> firstLaunch = new HashMap<>();
    for (NoopLauncher.Launch launch : launches) {
      firstLaunch.merge(launch.runId(), launch.at(), (a, b) -> a.isBefore(b) ? a : b);
    }
    due.forEach(
        (runId, at) -> {
          Instant launched = firstLaunch.get(runId);
          if (launched != null) {
            latencies.add(Math.max(0, Duration.between(at, launched).toMillis()));
          }
        });
    int duplicates = duplicates(launches, due.keySet());
    int lost = lost(producer, due.keySet());

    say(
        "%d agent(s): backlog of %d due runs, drained by agents started after",
        count, settings.runs());
    Set<String> backlog = createBacklog(producer, flow, settings.runs());
    List<NoopLauncher.Launch> backlogLaunches;
    long drainStart;
    long drainEnd;
    try (AgentGroup group = AgentGroup.start(url, count, settings.maxConcurrent())) {
      drainStart = System.nanoTime();
      group.awaitLaunched(backlog, DRAIN_LIMIT);
      drainEnd = System.nanoTime();
      backlogLaunches = group.launches();
    }
    duplicates += duplicates(backlogLaunches, backlog);
    lost += lost(producer, backlog);
    double minutes = (drainEnd - drainStart) / 60e9;
    Collections.sort(latencies);
    Phase phase =
        new Phase(
            count,
            settings.runs(),
            settings.ratePerSecond(),
            percentile(latencies, 50),
            percentile(latencies, 99),
            latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1),
            backlog.size() / minutes,
            duplicates,
            lost);
    say(
        "%d agent(s): due -> launched p50 %d ms, p99 %d ms, max %d ms; backlog %.0f runs/min;"
            + " duplicates %d, lost %d",
        count,
        phase.p50Millis(),
        phase.p99Millis(),
        phase.maxMillis(),
        phase.backlogRunsPerMinute(),
        duplicates,
        lost);
    return phase;
  }

  private static Set<String> createBacklog(JdbcBackend producer, RegisteredFlow flow, int runs)
      throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int share = runs / 4 + (t < runs % 4 ? 1 : 0);
        work.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < share; i++) {
                    ids.add(
                        producer
                            .runs()
                            .create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()))
                            .id());
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return ids;
  }

  private static int duplicates(List<NoopLauncher.Launch> launches, Set<String> runIds) {
    Map<String, Integer> perRun = new HashMap<>();
    for (NoopLauncher.Launch launch : launches) {
      if (runIds.contains(launch.runId())) {
        perRun.merge(launch.runId(), 1, Integer::sum);
      }
    }
    return perRun.values().stream().mapToInt(n -> n - 1).sum();
  }

  /** Runs of the phase that did not end Success (once every run launched, their ends follow). */
  private static int lost(JdbcBackend backend, Set<String> runIds) throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    Set<String> succeeded = new HashSet<>();
    while (System.nanoTime() < deadline) {
      succeeded.clear();
      for (FlowRun run : backend.runs().list(FLOW, Set.of(RunState.Success), Integer.MAX_VALUE)) {
        succeeded.add(run.id());
      }
      if (succeeded.containsAll(runIds)) {
        return 0;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    Set<String> missing = new HashSet<>(runIds);
    missing.removeAll(succeeded);
    return missing.size();
  }

  /** Agents in this process, each with its own backend (pool) and no-op launcher. */
  private static final class AgentGroup implements AutoCloseable {
    private final List<JdbcBackend> backends = new ArrayList<>();
    private final List<NoopLauncher> launchers = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();

    static AgentGroup start(String url, int count, int maxConcurrent) {
      AgentGroup group = new AgentGroup();
      for (int i = 0; i < count; i++) {
        JdbcBackend backend = JdbcBackend.open(url);
        NoopLauncher launcher = new NoopLauncher(Duration.ZERO, 8);
        Agent agent =
            new Agent(
                backend,
                launcher,
                AgentOptions.defaults("bench-" + (i + 1), Set.of())
                    .withMaxConcurrent(maxConcurrent),
                SecretSource.NONE);
        group.backends.add(backend);
        group.launchers.add(launcher);
        group.agents.add(agent);
      }
      group.agents.forEach(Agent::start);
      return group;
    }

    void awaitLaunched(Set<String> runIds, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        Set<String> launched = new HashSet<>();
        launches().forEach(l -> launched.add(l.runId()));
        if (launched.containsAll(runIds)) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }

    List<NoopLauncher.Launch> launches() {
      List<NoopLauncher.Launch> all = new ArrayList<>();
      launchers.forEach(l -> all.addAll(l.launches()));
      return all;
    }

    @Override
    public void close() {
      agents.forEach(Agent::stop);
      launchers.forEach(NoopLauncher::close);
      backends.forEach(JdbcBackend::close);
    }
  }

  // ---- floor ---------------------------------------------------------------------------------

  /** Single-row UPDATEs per second, each its own transaction, from {@code connections} at once. */
  private double updatesPerSecond(String url, int connections) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
      s.execute("DELETE FROM bench_floor");
      s.execute("INSERT INTO bench_floor SELECT g, 0 FROM generate_series(1, 8) g");
    }
    AtomicLong updates = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    long start = System.nanoTime();
    long end = start + FLOOR_TIME.toNanos();
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 1; t <= connections; t++) {
        int row = t;
        work.add(
            threads.submit(
                () -> {
                  try (Connection c = DriverManager.getConnection(url);
                      PreparedStatement update =
                          c.prepareStatement("UPDATE bench_floor SET n = n + 1 WHERE id = ?")) {
                    update.setInt(1, row);
                    while (System.nanoTime() < end) {
                      update.executeUpdate();
                      updates.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return updates.get() / ((System.nanoTime() - start) / 1e9);
  }

  // ---- poll ----------------------------------------------------------------------------------

  /** Adds finished runs until the table holds {@code total} of them. */
  private void topUpFinishedRuns(String url, RegisteredFlow flow, int total) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      int finished;
      try (Statement s = c.createStatement();
          ResultSet row =
              s.executeQuery("SELECT COUNT(*) FROM flow_runs WHERE state = 'Success'")) {
        row.next();
        finished = row.getInt(1);
      }
      if (finished < total) {
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
                    + " scheduled_at, created_at, updated_at, started_at, ended_at)"
                    + " SELECT gen_random_uuid()::text, ?, 'Success', 1, 'bench', '{}',"
                    + " now() - g * interval '1 ms', now(), now(), now(), now()"
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
      say("poll: %d finished runs in the table", Math.max(total, finished));
    }
  }

  private static void queueDueRuns(String url, RegisteredFlow flow, int count) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO flow_runs (id, flow_id, state, attempt, parameters, scheduled_at,"
                    + " created_at, updated_at) SELECT gen_random_uuid()::text, ?, 'Scheduled', 0,"
                    + " '{}', now() - g * interval '1 ms', now(), now() FROM generate_series(1, ?) g")) {
      insert.setLong(1, flow.id());
      insert.setInt(2, count);
      insert.executeUpdate();
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE flow_runs");
      }
    }
  }

  private Poll measurePoll(JdbcBackend backend, String url, int due) throws SQLException {
    int finished;
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT COUNT(*) FROM flow_runs WHERE state = 'Success'")) {
      row.next();
      finished = row.getInt(1);
    }
    List<Double> poll = new ArrayList<>();
    List<Double> claim = new ArrayList<>();
    List<Double> roundTrip = new ArrayList<>();
    PollMeasurement last = null;
    for (int i = 0; i < POLL_SAMPLES; i++) {
      last = backend.measureClaim(Set.of(), settings.maxConcurrent());
      poll.add(last.pollMillis());
      claim.add(last.claimMillis());
      roundTrip.add(last.claimRoundTripMillis());
    }
    Collections.sort(poll);
    Collections.sort(claim);
    Collections.sort(roundTrip);
    Poll measured =
        new Poll(
            finished,
            due,
            percentileOf(poll, 50),
            percentileOf(poll, 99),
            percentileOf(claim, 50),
            percentileOf(claim, 99),
            percentileOf(roundTrip, 50),
            percentileOf(roundTrip, 99),
            last.pollPlan(),
            last.claimPlan());
    say(
        "%d finished and %d due runs: poll p50 %.3f ms, p99 %.3f ms; claim statement (claims %d)"
            + " p50 %.3f ms, p99 %.3f ms, round trip p99 %.3f ms",
        finished,
        due,
        measured.pollP50(),
        measured.pollP99(),
        last.claimed(),
        measured.claimP50(),
        measured.claimP99(),
        measured.roundTripP99());
    return measured;
  }

  // ---- report --------------------------------------------------------------------------------

  private void print(Report report) {
    out.println();
    out.println(
        "| agents | runs | due -> launched p50 | p99 | max | backlog drain | duplicates | lost |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Phase p : report.phases()) {
      out.printf(
          "| %d | %d at %d/s + %d backlog | %d ms | %d ms | %d ms | %,.0f runs/min | %d | %d |%n",
          p.agents(),
          p.runs(),
          p.ratePerSecond(),
          p.runs(),
          p.p50Millis(),
          p.p99Millis(),
          p.maxMillis(),
          p.backlogRunsPerMinute(),
          p.duplicates(),
          p.lost());
    }
    out.printf(
        "floor: %,.0f single-row UPDATEs/s (1 connection), %,.0f/s (8 connections)%n",
        report.updatesPerSecondOne(), report.updatesPerSecondEight());
    out.println(
        "| finished runs | due runs | poll p50 | poll p99 | claim statement p50 | p99 | round trip p99 |");
    out.println("|---|---|---|---|---|---|---|");
    for (Poll poll : List.of(report.idle(), report.busy())) {
      out.printf(
          "| %,d | %,d | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.3f ms |%n",
          poll.finishedRuns(),
          poll.dueRuns(),
          poll.pollP50(),
          poll.pollP99(),
          poll.claimP50(),
          poll.claimP99(),
          poll.roundTripP99());
    }
    out.println("plan of the poll with due runs queued:");
    report.busy().pollPlan().forEach(line -> out.println("    " + line));
    Phase most = report.phases().get(report.phases().size() - 1);
    out.printf(
        "goals: p50 <= 20 ms: %s; p99 <= 200 ms: %s; >= 20,000 runs/min with %d agents: %s;"
            + " no duplicates or lost runs: %s; poll < 5 ms: %s%n",
        verdict(report.phases().stream().allMatch(p -> p.p50Millis() <= 20)),
        verdict(report.phases().stream().allMatch(p -> p.p99Millis() <= 200)),
        most.agents(),
        verdict(most.backlogRunsPerMinute() >= 20_000),
        verdict(report.exact()),
        verdict(report.idle().pollP99() < 5 && report.busy().pollP99() < 5));
    out.flush();
  }

  private static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }

  private void say(String format, Object... args) {
    out.printf("[bench] " + format + "%n", args);
    out.flush();
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static double percentileOf(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
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
