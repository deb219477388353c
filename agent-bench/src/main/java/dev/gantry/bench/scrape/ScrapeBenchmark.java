package dev.gantry.bench.scrape;

import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.bench.ApiSeed;
import dev.gantry.bench.BenchOutput;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.noop.NoopLauncher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code gantry bench scrape}: what a Prometheus scrape of an agent's {@code /metrics} costs with a
 * million runs in PostgreSQL and {@link Settings#inFlight()} runs in flight on that agent (a no-op
 * launcher holds them Running), timed over HTTP beside {@code /health/live} on the same port; and
 * proof that a scrape reads nothing from the database (the run gauges read it in the background).
 */
public final class ScrapeBenchmark {

  /** The label of the benchmark's agent and flow: no seeded run carries it. */
  static final String LABEL = "bench-scrape";

  /** The goal of issue 13: a scrape's p99. */
  static final double GOAL_P99_MILLIS = 10;

  /** Starts an agent (with its health port on 127.0.0.1) the way {@code gantry agent} does. */
  @FunctionalInterface
  public interface AgentStarter {
    StartedAgent start(DatabaseGantryClient gantry, Launcher launcher, AgentOptions options)
        throws Exception;
  }

  /** A started agent: where its health endpoints listen and which thread serves them. */
  public interface StartedAgent extends AutoCloseable {
    int healthPort();

    /** The name of the thread that answers {@code /metrics}, whose database calls are counted. */
    String servingThread();

    /** Renders the agent's registry as {@code /metrics} does, in this thread (no HTTP). */
    String render();

    @Override
    void close();
  }

  /**
   * @param serverUrl the PostgreSQL server; a schema is created in it and dropped afterwards
   * @param samples timed scrapes (and as many baseline calls), after as many untimed ones
   */
  public record Settings(String serverUrl, int runs, int inFlight, int samples) {}

  private final Settings settings;
  private final PrintWriter writer;
  private final BenchOutput out;

  public ScrapeBenchmark(Settings settings, PrintWriter writer) {
    this.settings = settings;
    this.writer = writer;
    this.out = new BenchOutput(writer);
  }

  /** Seeds, starts the agent, fills its slots, measures and prints; true when the goal is met. */
  public boolean run(AgentStarter starter) throws Exception {
    String schema =
        "gantry_bench_scrape_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    execute(settings.serverUrl(), "CREATE SCHEMA " + schema);
    String url =
        settings.serverUrl()
            + (settings.serverUrl().contains("?") ? "&" : "?")
            + "currentSchema="
            + schema;
    Path home = Files.createTempDirectory("gantry-bench-scrape-");
    try {
      return measure(url, schema, new GantryHome(home), starter);
    } finally {
      execute(settings.serverUrl(), "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private boolean measure(String url, String schema, GantryHome home, AgentStarter starter)
      throws Exception {
    try (DatabaseGantryClient opened = GantryClient.open(home, url);
        NoopLauncher launcher = new NoopLauncher(Duration.ofHours(1), 2)) {
      JdbcBackend jdbc = (JdbcBackend) opened.backend();
      BackendCalls calls = new BackendCalls(jdbc);
      // The agent's client: every call it makes into the database is counted by thread.
      DatabaseGantryClient gantry = new DatabaseGantryClient(calls.backend(), home);
      out.say("schema %s; seeding %,d runs", schema, settings.runs());
      new ApiSeed(url, out).seed(jdbc, settings.runs(), 0);
      seedOtherAgents(url);
      List<FlowRun> held = createHeldRuns(gantry);
      AgentOptions options =
          AgentOptions.defaults(LABEL, Set.of(LABEL))
              .withMaxConcurrent(settings.inFlight())
              .withGracePeriod(Duration.ofSeconds(1));
      try (StartedAgent agent = starter.start(gantry, launcher, options)) {
        ScrapeClient http = new ScrapeClient(agent.healthPort());
        awaitRunning(gantry, held);
        long running = countRunning(url);
        Duration settled = http.awaitGauge("gantry_runs", "state=\"running\"", running);
        out.say(
            "agent on 127.0.0.1:%d: %d runs in flight; gantry_runs{state=\"running\"} %,d after"
                + " %.1f s",
            agent.healthPort(), settings.inFlight(), running, settled.toMillis() / 1e3);
        ScrapeClient.Body body = http.scrape();
        double slotsUsed = body.value("gantry_agent_slots", "slot=\"used\"");
        if (slotsUsed != settings.inFlight()) {
          throw new IllegalStateException(
              "gantry_agent_slots{slot=\"used\"} is " + slotsUsed + ", not " + settings.inFlight());
        }
        long readyCalls = http.callsOf("/health/ready", calls, agent.servingThread());
        if (readyCalls == 0) {
          throw new IllegalStateException(
              "no database call counted on thread "
                  + agent.servingThread()
                  + " for /health/ready: the count cannot see the health server");
        }
        ScrapeClient.Timings timings = http.time(settings.samples(), calls, agent.servingThread());
        double[] render = timeRender(agent);
        double gaugeRead = timeGaugeRead(gantry);
        return print(body, timings, render, readyCalls, gaugeRead);
      }
    }
  }

  /** The seeded Running runs belong to eight Docker agents that are alive: never adopted here. */
  private static void seedOtherAgents(String url) throws SQLException {
    execute(
        url,
        "INSERT INTO agents (id, name, kind, host, labels, max_concurrent, running, started_at,"
            + " heartbeat_at) SELECT 'agent-' || g, 'agent-' || g, 'docker', 'bench', '[]', 2000,"
            + " 0, now(), now() FROM generate_series(0, 7) g");
  }

  private List<FlowRun> createHeldRuns(DatabaseGantryClient gantry) {
    gantry
        .backend()
        .flows()
        .register(
            new NewFlowVersion(
                LABEL,
                BundleFormat.module,
                "module:dev.gantry.bench.Noop#held",
                null,
                "dev.gantry.bench.Noop#held",
                null,
                List.of(new FlowLabel(LABEL, LabelSource.registration)),
                Set.of(),
                List.of()));
    return gantry.createRuns(LABEL, null, Map.of(), Set.of(), settings.inFlight());
  }

  private static void awaitRunning(DatabaseGantryClient gantry, List<FlowRun> runs)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    for (FlowRun run : runs) {
      while (gantry.run(run.id()).state() != RunState.Running) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "run " + run.id() + " was not Running within 120 s: is the agent polling?");
        }
        Thread.sleep(50);
      }
    }
  }

  private static long countRunning(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT count(*) FROM flow_runs WHERE state = 'Running'")) {
      row.next();
      return row.getLong(1);
    }
  }

  /** p50 and p99 of rendering the registry in this thread, after as many untimed renders. */
  private double[] timeRender(StartedAgent agent) {
    List<Double> times = new java.util.ArrayList<>();
    for (int i = 0; i < 2 * settings.samples(); i++) {
      long start = System.nanoTime();
      agent.render();
      if (i >= settings.samples()) {
        times.add((System.nanoTime() - start) / 1e6);
      }
    }
    java.util.Collections.sort(times);
    return new double[] {ScrapeClient.percentile(times, 50), ScrapeClient.percentile(times, 99)};
  }

  /** The median of the query the gauges make every refresh: what a scrape would otherwise pay. */
  private static double timeGaugeRead(DatabaseGantryClient gantry) {
    double[] times = new double[21];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      gantry.backend().runSearch().activeRuns(Instant.now().minusSeconds(30));
      times[i] = (System.nanoTime() - start) / 1e6;
    }
    java.util.Arrays.sort(times);
    return times[times.length / 2];
  }

  private boolean print(
      ScrapeClient.Body body,
      ScrapeClient.Timings t,
      double[] render,
      long readyCalls,
      double gaugeRead) {
    writer.println();
    writer.printf(
        "%,d runs in the database, %d in flight on the agent; %d timed calls of each, alternating,"
            + " after as many warm-up calls%n",
        settings.runs(), settings.inFlight(), settings.samples());
    writer.printf(
        "/metrics body: %,d bytes, %d samples (lines that are not comments)%n",
        body.bytes(), body.samples());
    writer.println("| endpoint | p50 | p99 | max |");
    writer.println("|---|---|---|---|");
    writer.printf(
        "| GET /metrics | %.2f ms | %.2f ms | %.2f ms |%n",
        t.metricsP50(), t.metricsP99(), t.metricsMax());
    writer.printf(
        "| GET /health/live (baseline) | %.2f ms | %.2f ms | %.2f ms |%n",
        t.liveP50(), t.liveP99(), t.liveMax());
    writer.printf(
        "| the registry's render alone, in process (no HTTP) | %.2f ms | %.2f ms | |%n",
        render[0], render[1]);
    writer.printf(
        "ratio /metrics to /health/live: p50 %.2f, p99 %.2f%n",
        t.metricsP50() / t.liveP50(), t.metricsP99() / t.liveP99());
    writer.printf(
        "JDK HTTP server's TCP_NODELAY (-Dsun.net.httpserver.nodelay): %s%s%n",
        Boolean.getBoolean("sun.net.httpserver.nodelay") ? "on" : "off",
        t.liveP50() >= 30
            ? "; a floor near 40 ms is Nagle's algorithm waiting for a delayed ACK"
                + " between the response's headers and its body"
            : "");
    writer.printf(
        "database calls on the health thread: %d during %d scrapes and as many /health/live calls"
            + " (one /health/ready, the control, made %d); the gauges' background read, every"
            + " 10 s: %.1f ms (median)%n",
        t.scrapeCalls(), 2 * settings.samples(), readyCalls, gaugeRead);
    boolean fast = t.metricsP99() <= GOAL_P99_MILLIS;
    boolean noSql = t.scrapeCalls() == 0;
    writer.printf(
        "goals: /metrics p99 <= %.0f ms: %s; no database call in a scrape: %s%n",
        GOAL_P99_MILLIS, fast ? "met" : "MISSED", noSql ? "met" : "MISSED");
    writer.flush();
    return fast && noSql;
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
