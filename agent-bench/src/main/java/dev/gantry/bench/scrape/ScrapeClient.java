package dev.gantry.bench.scrape;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Scrapes an agent's health port over HTTP, as Prometheus does, and times it. */
final class ScrapeClient {
  /** One {@code /metrics} answer. */
  record Body(String text) {
    int bytes() {
      return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Sample lines (not {@code #} comments). */
    long samples() {
      return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
    }

    /**
     * The value of the first sample of {@code name} whose labels contain {@code label}, e.g. {@code
     * state="running"}.
     */
    double value(String name, String label) {
      for (String line : text.lines().toList()) {
        if (line.startsWith(name + "{") && line.contains(label)) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      throw new IllegalStateException("/metrics has no " + name + "{" + label + "}");
    }
  }

  /** Milliseconds of the timed calls, and the database calls the scrapes made. */
  record Timings(
      double metricsP50,
      double metricsP99,
      double metricsMax,
      double liveP50,
      double liveP99,
      double liveMax,
      long scrapeCalls) {}

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  ScrapeClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Body scrape() throws Exception {
    return new Body(get("/metrics"));
  }

  /** Scrapes until the sample reaches {@code expected} (the gauges refresh in the background). */
  Duration awaitGauge(String name, String label, double expected) throws Exception {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(60).toNanos();
    double seen;
    while ((seen = scrape().value(name, label)) != expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + "{" + label + "} is " + seen + " after 60 s, not " + expected);
      }
      Thread.sleep(200);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** The database calls counted on the serving thread during one GET of {@code path}. */
  long callsOf(String path, BackendCalls calls, String thread) throws Exception {
    long before = calls.on(thread);
    send(path); // 200 or 503: either way the handler ran
    return calls.on(thread) - before;
  }

  /**
   * {@code samples} untimed rounds, then {@code samples} timed ones; a round is one GET of /metrics
   * and one of /health/live, so both see the same machine.
   */
  Timings time(int samples, BackendCalls calls, String thread) throws Exception {
    List<Double> metrics = new ArrayList<>();
    List<Double> live = new ArrayList<>();
    long before = calls.on(thread);
    for (int i = 0; i < 2 * samples; i++) {
      double m = timed("/metrics");
      double l = timed("/health/live");
      if (i >= samples) {
        metrics.add(m);
        live.add(l);
      }
    }
    long scrapeCalls = calls.on(thread) - before;
    Collections.sort(metrics);
    Collections.sort(live);
    return new Timings(
        percentile(metrics, 50),
        percentile(metrics, 99),
        metrics.get(metrics.size() - 1),
        percentile(live, 50),
        percentile(live, 99),
        live.get(live.size() - 1),
        scrapeCalls);
  }

  private double timed(String path) throws Exception {
    long start = System.nanoTime();
    get(path);
    return (System.nanoTime() - start) / 1e6;
  }

  private HttpResponse<String> send(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response = send(path);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Nearest rank of a sorted sample. */
  static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
