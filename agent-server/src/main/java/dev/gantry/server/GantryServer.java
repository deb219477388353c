package dev.gantry.server;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.metrics.ProcessMeters;
import dev.gantry.metrics.RunGauges;
import dev.gantry.server.api.AdminResources;
import dev.gantry.server.api.FlowPushes;
import dev.gantry.server.api.FlowRegistrations;
import dev.gantry.server.api.RunEvents;
import dev.gantry.server.api.RunListEvents;
import dev.gantry.server.api.RunResources;
import dev.gantry.server.api.ScheduleResources;
import dev.gantry.server.audit.AuditTrail;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.FailedAuthentications;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.http.ApiRoutes;
import dev.gantry.server.http.BearerAuth;
import dev.gantry.server.http.HealthRoutes;
import dev.gantry.server.http.HttpsConnector;
import dev.gantry.server.http.OpenApiDocument;
import dev.gantry.server.http.PemKeyStore;
import dev.gantry.server.http.ProblemErrorHandler;
import dev.gantry.server.http.Problems;
import dev.gantry.server.http.RequestBody;
import dev.gantry.server.http.RequestTrace;
import dev.gantry.server.json.Dtos;
import dev.gantry.server.json.Json;
import dev.gantry.server.json.RunDtos;
import dev.gantry.server.metrics.MetricsRoutes;
import dev.gantry.server.ui.OneTimeSignIn;
import dev.gantry.server.ui.UiRoutes;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * {@code gantry server}: one HTTP server (Javalin on Jetty) serving the health endpoints and the
 * routes each part of the server adds. New parts ({@code /api/v1}, later {@code /ui} and {@code
 * /metrics}) are route groups added in {@link #configure}; nothing else changes.
 */
public final class GantryServer implements AutoCloseable {

  /**
   * How the server listens.
   *
   * @param bind the address to listen on (127.0.0.1 by default: only this machine)
   * @param port the port; 0 picks a free one
   * @param maxBodyBytes the largest JSON request body accepted; larger ones get 413
   * @param maxUploadBytes the largest flow upload (jars) accepted; larger ones get 413
   * @param authFailuresPerMinute failed authentications a client address may make in a minute
   *     before its requests get 429 for the rest of that minute
   * @param tls null for plain HTTP; otherwise HTTPS only, with this certificate and key
   */
  public record Settings(
      String bind,
      int port,
      long maxBodyBytes,
      long maxUploadBytes,
      int authFailuresPerMinute,
      Tls tls) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8420;
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 256L * 1024 * 1024;

    public Settings {
      Objects.requireNonNull(bind, "bind");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("--port must be 0..65535, not " + port);
      }
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("the request body limit must be positive");
      }
      if (maxUploadBytes < 1) {
        throw new IllegalArgumentException("--max-upload must be positive");
      }
      if (authFailuresPerMinute < 1) {
        throw new IllegalArgumentException(
            "the failed-authentication limit must be at least 1 a minute");
      }
    }

    /** Plain HTTP with the default upload and failed-authentication limits. */
    public Settings(String bind, int port, long maxBodyBytes) {
      this(
          bind,
          port,
          maxBodyBytes,
          DEFAULT_MAX_UPLOAD_BYTES,
          FailedAuthentications.DEFAULT_PER_MINUTE,
          null);
    }

    public Settings withMaxUploadBytes(long value) {
      return new Settings(bind, port, maxBodyBytes, value, authFailuresPerMinute, tls);
    }

    public Settings withAuthFailuresPerMinute(int value) {
      return new Settings(bind, port, maxBodyBytes, maxUploadBytes, value, tls);
    }

    public Settings withTls(Tls value) {
      return new Settings(bind, port, maxBodyBytes, maxUploadBytes, authFailuresPerMinute, value);
    }

    /** The scheme clients use: https with TLS, else http. */
    public String scheme() {
      return tls == null ? "http" : "https";
    }
  }

  /**
   * The PEM files of {@code --tls-cert} and {@code --tls-key}.
   *
   * @param certificate the server's certificate, then any intermediates
   * @param privateKey its PKCS#8 private key (RSA or EC), unencrypted
   */
  public record Tls(java.nio.file.Path certificate, java.nio.file.Path privateKey) {
    public Tls {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  /** Responses up to this size are sent whole, with a Content-Length (Jetty's default: 32 KiB). */
  static final int RESPONSE_BUFFER_BYTES = 256 * 1024;

  /** How often open event streams look for news. */
  private static final Duration EVENT_POLL = Duration.ofMillis(250);

  /** A Scheduled run this long past due counts as late in {@code gantry_runs{state="late"}}. */
  public static final Duration LATE_AFTER = Duration.ofSeconds(30);

  /** How often the run gauges read the database (a scrape never does). */
  public static final Duration GAUGE_REFRESH = Duration.ofSeconds(10);

  private final Javalin app;
  private final Streams streams;
  private final AutoCloseable gauges;
  private final OneTimeSignIn links;

  private GantryServer(Javalin app, Streams streams, AutoCloseable gauges, OneTimeSignIn links) {
    this.app = app;
    this.streams = streams;
    this.gauges = gauges;
    this.links = links;
  }

  /**
   * A one-time link into the web UI that signs in as {@code token} (valid for {@link
   * OneTimeSignIn#VALID_FOR}), relative to the server's root: {@code ui/#/?code=…}.
   */
  public String signInLink(String token) {
    return "ui/#/?code=" + links.issue(token);
  }

  /** The event streams' pollers, closed with the server. */
  record Streams(RunEvents run, RunListEvents list) implements AutoCloseable {
    static Streams start(GantryClient gantry) {
      return new Streams(
          new RunEvents(gantry, EVENT_POLL),
          new RunListEvents(gantry, Clock.systemUTC(), EVENT_POLL));
    }

    @Override
    public void close() {
      run.close();
      list.close();
    }
  }

  /**
   * Starts serving the client's backend.
   *
   * @throws IllegalStateException naming the address when it cannot listen there
   * @throws IllegalArgumentException naming the file when the TLS certificate or key is unusable
   */
  public static GantryServer start(DatabaseGantryClient gantry, Settings settings) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProcessMeters.bind(registry, "server");
    return start(gantry, settings, registry);
  }

  /**
   * Starts serving the client's backend, with {@code /metrics} from {@code registry} (shared with
   * an agent running in the same process).
   */
  public static GantryServer start(
      DatabaseGantryClient gantry, Settings settings, PrometheusMeterRegistry registry) {
    PemKeyStore.Loaded keys =
        settings.tls() == null
            ? null
            : PemKeyStore.load(settings.tls().certificate(), settings.tls().privateKey());
    Streams events = Streams.start(gantry);
    OneTimeSignIn links = new OneTimeSignIn(Clock.systemUTC());
    Javalin app =
        Javalin.create(
            config -> {
              configure(config, gantry, events, settings, links);
              MetricsRoutes.install(config, registry);
              if (keys != null) {
                config.jetty.addConnector(
                    (server, http) ->
                        HttpsConnector.create(
                            server, http, keys, settings.bind(), settings.port()));
              }
            });
    try {
      app.start(settings.bind(), settings.port());
    } catch (RuntimeException e) {
      app.stop();
      events.close();
      throw new IllegalStateException(
          "cannot listen on "
              + settings.bind()
              + ":"
              + settings.port()
              + " ("
              + e.getMessage()
              + "); choose another --port or --bind",
          e);
    }
    LoggerFactory.getLogger(GantryServer.class)
        .info(
            "gantry server listening on {}://{}:{}",
            settings.scheme(),
            settings.bind(),
            app.port());
    AutoCloseable gauges =
        RunGauges.register(
            gantry.backend().runSearch(),
            gantry.backend().agents(),
            registry,
            Clock.systemUTC(),
            LATE_AFTER,
            GAUGE_REFRESH);
    return new GantryServer(app, events, gauges, links);
  }

  private static void configure(
      io.javalin.config.JavalinConfig config,
      DatabaseGantryClient gantry,
      Streams events,
      Settings settings,
      OneTimeSignIn links) {
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.http.maxRequestSize = settings.maxBodyBytes();
    // A whole page (50 runs: ~20 KB; 1,000 log lines: ~130 KB) is gathered before it is sent, so
    // it goes out with a Content-Length in as few writes as the socket takes, not as chunks.
    config.jetty.modifyHttpConfiguration(
        http -> {
          http.setOutputBufferSize(RESPONSE_BUFFER_BYTES);
          http.setOutputAggregationSize(RESPONSE_BUFFER_BYTES);
        });
    config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
    config.jsonMapper(new JavalinJackson(Json.mapper(), false));
    RequestTrace.install(config.routes); // first, so every later handler's lines carry the trace
    Problems.install(config.routes);
    HealthRoutes.install(config.routes, gantry.backend());
    Clock clock = Clock.systemUTC();
    ApiTokens tokens = new ApiTokens(gantry.backend().tokens(), clock);
    List<ApiRoute> routes = apiRoutes(gantry, tokens, events, settings);
    OpenApiDocument.install(config.routes, routes, version());
    BearerAuth auth =
        new BearerAuth(tokens, new FailedAuthentications(settings.authFailuresPerMinute(), clock));
    UiRoutes.install(config, auth, links);
    ApiRoutes.install(config.routes, auth, new AuditTrail(gantry.backend().audit(), clock), routes);
  }

  /** Every route under /api/v1, for the router and the OpenAPI document. */
  static List<ApiRoute> apiRoutes(
      DatabaseGantryClient gantry, ApiTokens tokens, Streams events, Settings settings) {
    // The stream of all runs before /runs/{id}: the router takes the first route that matches.
    List<ApiRoute> routes = new ArrayList<>(List.of(events.list().route(), events.run().route()));
    routes.addAll(new RunResources(gantry).routes());
    routes.addAll(new ScheduleResources(gantry.backend().scheduleFires()).routes());
    routes.addAll(
        new FlowRegistrations(gantry, settings.maxUploadBytes(), settings.maxBodyBytes()).routes());
    routes.addAll(
        new FlowPushes(gantry, settings.maxUploadBytes(), settings.maxBodyBytes()).routes());
    routes.addAll(new AdminResources(gantry, tokens, gantry.backend().audit()).routes());
    return routes.stream().map(GantryServer::withJsonBody).toList();
  }

  /**
   * The JSON bodies of routes that do not declare theirs yet, for the OpenAPI document. Each can
   * move into its route as {@code .withBody(RequestBody.json(...))}; OpenApiDocumentTest finds a
   * route that reads a body and is documented without one.
   */
  private static final Map<String, Class<? extends Record>> JSON_BODIES =
      Map.of(
          "POST " + ApiRoutes.API + "/runs", RunDtos.NewRuns.class,
          "PUT " + ApiRoutes.API + "/secrets/{name}", Dtos.SecretValue.class,
          "POST " + ApiRoutes.API + "/tokens", Dtos.NewToken.class);

  private static ApiRoute withJsonBody(ApiRoute route) {
    Class<? extends Record> dto = JSON_BODIES.get(route.method() + " " + route.path());
    return route.body() != null || dto == null ? route : route.withBody(RequestBody.json(dto));
  }

  private static String version() {
    String version = GantryServer.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** Method and path of every route the router serves, e.g. {@code GET /health/live}. */
  java.util.Set<String> servedRoutes() {
    java.util.Set<String> served = new java.util.TreeSet<>();
    for (io.javalin.router.ParsedEndpoint endpoint : app.unsafe.internalRouter.allHttpHandlers()) {
      if (endpoint.endpoint.method.isHttpMethod()) {
        served.add(endpoint.endpoint.method.name() + " " + endpoint.endpoint.path);
      }
    }
    return served;
  }

  /** The port it listens on (the chosen one when started with port 0). */
  public int port() {
    return app.port();
  }

  /** Stops accepting connections and ends open ones. */
  @Override
  public void close() {
    streams.close(); // ends the open event streams, which would hold the stop up
    app.stop();
    try {
      gauges.close();
    } catch (Exception e) {
      LoggerFactory.getLogger(GantryServer.class).warn("run gauges: {}", e.getMessage());
    }
  }
}
