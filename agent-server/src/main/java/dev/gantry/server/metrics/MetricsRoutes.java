package dev.gantry.server.metrics;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * {@code GET /metrics} in Prometheus's text format, and a timer of every request by method, route
 * pattern and status (the pattern, never the path: a run id is no label). Open like the health
 * endpoints: it holds counts and timings, no names of runs, flows or secrets.
 */
public final class MetricsRoutes {
  public static final String PATH = "/metrics";
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String STARTED = "gantry.request.started";

  private MetricsRoutes() {}

  public static void install(JavalinConfig config, PrometheusMeterRegistry registry) {
    config.routes.get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
    config.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    config.routes.after(ctx -> record(ctx, registry));
  }

  private static void record(Context ctx, PrometheusMeterRegistry registry) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    String route = matched == null ? "unmatched" : matched.path;
    Timer.builder("gantry.http.server.requests")
        .description("HTTP requests the server answered, by method, route and status")
        .tags(
            "method", ctx.method().name(),
            "route", route,
            "status", String.valueOf(ctx.statusCode()))
        .serviceLevelObjectives(
            Duration.ofMillis(5),
            Duration.ofMillis(25),
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            Duration.ofSeconds(2))
        .register(registry)
        .record(Duration.ofNanos(System.nanoTime() - started));
  }
}
