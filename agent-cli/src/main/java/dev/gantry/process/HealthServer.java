package dev.gantry.process;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.agent.Agent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves an agent's health over HTTP for probes: {@code /health/live} answers 200 while the agent's
 * claim loop runs; {@code /health/ready} answers 200 while the database and the launcher's platform
 * answer and the agent has polled recently, else 503 with the reasons. {@code /metrics} serves the
 * agent's meters in Prometheus's text format.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code bindAddress:port} (port 0 picks a free one).
   *
   * @throws IOException when the port is taken
   */
  public static HealthServer start(
      Agent agent, PrometheusMeterRegistry metrics, String bindAddress, int port)
      throws IOException {
    // Without TCP_NODELAY the JDK server sends a response's headers and body as two segments and
    // Nagle's algorithm holds the body until the client's delayed ACK: 40 ms on every answer.
    // Read once, when the JDK's HTTP server classes load; an explicit -D setting wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "gantry-health");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/health/live", exchange -> answer(exchange, agent.liveness()));
    server.createContext("/health/ready", exchange -> answer(exchange, agent.readiness()));
    server.createContext("/metrics", exchange -> scrape(exchange, metrics));
    server.start();
    return new HealthServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void scrape(HttpExchange exchange, PrometheusMeterRegistry metrics)
      throws IOException {
    byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void answer(HttpExchange exchange, Agent.Health health) throws IOException {
    byte[] body =
        ((health.ok() ? "ok" : "unavailable") + "\n" + String.join("\n", health.reasons()) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(health.ok() ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
