package dev.gantry.bench;

import dev.gantry.backend.RunSearch;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.RunState;
import dev.gantry.home.GantryHome;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code gantry bench api}: the run list, a filtered page and a page of 1,000 log lines with a
 * million runs in PostgreSQL, each over HTTP through a real server and as the same backend call the
 * route makes, interleaved, so their ratio is the cost of the HTTP layer (routing, bearer
 * authentication, JSON); and how long a stored log line takes to reach an SSE subscriber.
 */
public final class ApiBenchmark {

  /** A started API server over the benchmark's client: where it listens and a token for it. */
  public interface Server extends AutoCloseable {
    int port();

    String token();

    @Override
    void close();
  }

  /**
   * @param serverUrl the PostgreSQL server; a schema is created in it and dropped afterwards
   * @param samples timed calls of each kind, after as many untimed ones again as warm-up
   */
  public record Settings(String serverUrl, int runs, int samples, int sseLines) {}

  /** p50 and p99 of one query over HTTP and directly. */
  public record Timing(
      String name, double httpP50, double httpP99, double jdbcP50, double jdbcP99) {
    double ratioP50() {
      return httpP50 / jdbcP50;
    }

    double ratioP99() {
      return httpP99 / jdbcP99;
    }
  }

  private static final int LOG_LINES = 20_000;
  private static final int LOG_PAGE = 1000;
  private static final String FILTER_FLOW = "etl";
  private static final RunState FILTER_STATE = RunState.Failed;

  private final Settings settings;
  private final BenchOutput out;
  private final PrintWriter writer;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Random random = new Random(11);

  public ApiBenchmark(Settings settings, PrintWriter writer) {
    this.settings = settings;
    this.writer = writer;
    this.out = new BenchOutput(writer);
  }

  /** Seeds, serves, measures and prints; true when every goal of issue 11 is met. */
  public boolean run(Function<DatabaseGantryClient, Server> serve) throws Exception {
    String schema =
        "gantry_bench_api_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    execute(settings.serverUrl(), "CREATE SCHEMA " + schema);
    String url =
        settings.serverUrl()
            + (settings.serverUrl().contains("?") ? "&" : "?")
            + "currentSchema="
            + schema;
    Path home = Files.createTempDirectory("gantry-bench-api-");
    try (DatabaseGantryClient gantry = GantryClient.open(new GantryHome(home), url)) {
      out.say("schema %s; seeding %,d runs", schema, settings.runs());
      ApiSeed.Seeded seeded =
          new ApiSeed(url, out).seed((JdbcBackend) gantry.backend(), settings.runs(), LOG_LINES);
      try (Server server = serve.apply(gantry)) {
        out.say("server on 127.0.0.1:%d", server.port());
        String base = "http://127.0.0.1:" + server.port() + "/api/v1";
        RunSearch.RunFilter filtered =
            new RunSearch.RunFilter(FILTER_FLOW, Set.of(FILTER_STATE), null, null, null, null);
        List<Timing> timings = new ArrayList<>();
        timings.add(
            measure(
                "run list, first page (50)",
                server,
                () -> base + "/runs",
                () -> gantry.searchRuns(RunSearch.RunFilter.any(), null, 50).runs().size()));
        timings.add(
            measure(
                "flow=" + FILTER_FLOW + " & state=" + FILTER_STATE.name().toLowerCase() + " (50)",
                server,
                () ->
                    base
                        + "/runs?flow="
                        + FILTER_FLOW
                        + "&state="
                        + FILTER_STATE.name().toLowerCase(),
                () -> gantry.searchRuns(filtered, null, 50).runs().size()));
        // Not a goal: a page of one run, whose HTTP time is the fixed cost of a call.
        timings.add(
            measure(
                "run list, a page of 1 (not a goal)",
                server,
                () -> base + "/runs?limit=1",
                () -> gantry.searchRuns(RunSearch.RunFilter.any(), null, 1).runs().size()));
        long[] after = new long[1];
        timings.add(
            measure(
                "1,000 log lines of a run",
                server,
                () -> {
                  after[0] = seeded.firstLogId() - 1 + random.nextInt(LOG_LINES - LOG_PAGE);
                  return base
                      + "/runs/"
                      + seeded.logRunId()
                      + "/logs?after="
                      + after[0]
                      + "&limit="
                      + LOG_PAGE;
                },
                () -> {
                  // The route's two calls: the run (by id or prefix), then the page.
                  String id = gantry.run(seeded.logRunId()).id();
                  return gantry.logs(id, after[0], LOG_PAGE).size();
                }));
        // Where the HTTP time goes: the server's floor (no token, no database) and a route that
        // only authenticates (the token's lookup and its last-used stamp).
        double[] live = floor(base.replace("/api/v1", "") + "/health/live", null);
        double[] whoami = floor(base + "/whoami", server.token());
        List<String> listPlan = explain(url, false);
        List<String> filteredPlan = explain(url, true);
        List<Long> sse =
            new SseLatency(http, base, server.token(), gantry.backend(), out)
                .measure(seeded, settings.sseLines());
        writer.printf(
            "HTTP floor: GET /health/live p50 %.2f ms p99 %.2f ms; GET /api/v1/whoami (bearer"
                + " authentication only) p50 %.2f ms p99 %.2f ms%n",
            live[0], live[1], whoami[0], whoami[1]);
        return print(timings, sse, listPlan, filteredPlan);
      }
    } finally {
      execute(settings.serverUrl(), "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private interface Call {
    int rows() throws Exception;
  }

  private interface Target {
    String uri();
  }

  /** Alternates HTTP and direct calls so both see the same machine; checks they agree. */
  private Timing measure(String name, Server server, Target target, Call direct) throws Exception {
    List<Double> viaHttp = new ArrayList<>();
    List<Double> viaJdbc = new ArrayList<>();
    for (int i = 0; i < 2 * settings.samples(); i++) {
      boolean timed = i >= settings.samples();
      String uri = target.uri();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(uri))
              .header("Authorization", "Bearer " + server.token())
              .build();
      long start = System.nanoTime();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      double httpMillis = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            uri + " answered " + response.statusCode() + ": " + response.body());
      }
      start = System.nanoTime();
      int rows = direct.rows();
      double jdbcMillis = (System.nanoTime() - start) / 1e6;
      if (rows == 0) {
        throw new IllegalStateException(name + ": the direct call found nothing");
      }
      if (timed) {
        viaHttp.add(httpMillis);
        viaJdbc.add(jdbcMillis);
      }
    }
    Collections.sort(viaHttp);
    Collections.sort(viaJdbc);
    Timing timing =
        new Timing(
            name,
            Percentiles.ofTimings(viaHttp, 50),
            Percentiles.ofTimings(viaHttp, 99),
            Percentiles.ofTimings(viaJdbc, 50),
            Percentiles.ofTimings(viaJdbc, 99));
    out.say(
        "%s: HTTP p50 %.2f ms p99 %.2f ms; JDBC p50 %.2f ms p99 %.2f ms",
        name, timing.httpP50(), timing.httpP99(), timing.jdbcP50(), timing.jdbcP99());
    return timing;
  }

  /** p50 and p99 of a GET, after as many untimed ones. */
  private double[] floor(String uri, String token) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 2 * settings.samples(); i++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      long start = System.nanoTime();
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      double millis = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + response.statusCode());
      }
      if (i >= settings.samples()) {
        times.add(millis);
      }
    }
    Collections.sort(times);
    return new double[] {Percentiles.ofTimings(times, 50), Percentiles.ofTimings(times, 99)};
  }

  /** EXPLAIN ANALYZE of the run search's first page, as JdbcRunSearch writes it. */
  private static List<String> explain(String url, boolean filtered) throws SQLException {
    String sql =
        "EXPLAIN (ANALYZE, BUFFERS) SELECT r.id, r.flow_id, f.name AS flow_name, f.version AS"
            + " flow_version, r.state, r.attempt, r.agent_id, r.parameters, r.scheduled_at,"
            + " r.created_at, r.updated_at, r.started_at, r.ended_at, r.message"
            + " FROM flow_runs r JOIN flows f ON f.id = r.flow_id"
            + (filtered ? " WHERE f.name = ? AND r.state IN (?)" : "")
            + " ORDER BY r.created_at DESC, r.id DESC LIMIT 51";
    List<String> plan = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement s = c.prepareStatement(sql)) {
      if (filtered) {
        s.setString(1, FILTER_FLOW);
        s.setString(2, FILTER_STATE.name());
      }
      try (ResultSet row = s.executeQuery()) {
        while (row.next()) {
          plan.add(row.getString(1));
        }
      }
    }
    return plan;
  }

  private boolean print(
      List<Timing> timings, List<Long> sse, List<String> listPlan, List<String> filteredPlan) {
    writer.println();
    writer.printf(
        "%,d runs; %d timed calls of each kind after as many warm-up calls%n",
        settings.runs(), settings.samples());
    writer.println(
        "| query | HTTP p50 | HTTP p99 | JDBC p50 | JDBC p99 | HTTP/JDBC p50 | HTTP/JDBC p99 |");
    writer.println("|---|---|---|---|---|---|---|");
    for (Timing t : timings) {
      writer.printf(
          "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f | %.2f |%n",
          t.name(), t.httpP50(), t.httpP99(), t.jdbcP50(), t.jdbcP99(), t.ratioP50(), t.ratioP99());
    }
    List<Long> sorted = new ArrayList<>(sse);
    Collections.sort(sorted);
    long sseP50 = Percentiles.of(sorted, 50);
    long sseP99 = Percentiles.of(sorted, 99);
    writer.printf(
        "SSE: a stored log line reached the subscriber in p50 %d ms, p99 %d ms, max %d ms (%d lines)%n",
        sseP50, sseP99, sorted.get(sorted.size() - 1), sorted.size());
    writer.println("plan of the first page:");
    listPlan.forEach(line -> writer.println("    " + line));
    writer.println("plan of the filtered page:");
    filteredPlan.forEach(line -> writer.println("    " + line));
    boolean list = timings.get(0).httpP99() <= 20;
    boolean filtered = timings.get(1).httpP99() <= 30;
    boolean ratio =
        timings.stream()
            .filter(t -> !t.name().contains("not a goal"))
            .allMatch(t -> t.ratioP50() <= 1.5);
    boolean events = sseP99 <= 250;
    writer.printf(
        "goals: list p99 <= 20 ms: %s; filtered p99 <= 30 ms: %s; HTTP/JDBC (p50s) <= 1.5: %s;"
            + " SSE p99 <= 250 ms: %s%n",
        verdict(list), verdict(filtered), verdict(ratio), verdict(events));
    writer.flush();
    return list && filtered && ratio && events;
  }

  private static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
