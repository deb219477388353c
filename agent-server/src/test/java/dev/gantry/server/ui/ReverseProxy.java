package dev.gantry.server.ui;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx (Debian's {@code nginx-light}) on a free port of 127.0.0.1 that serves a Gantry
 * server under {@link #PREFIX}, configured as docs/ui.md tells operators to: no buffering, long
 * reads for event streams, the base path in {@code X-Forwarded-Prefix}. Started as a foreground
 * process with every file in a directory of its own; closing stops it.
 */
final class ReverseProxy implements AutoCloseable {
  static final String PREFIX = "/gantry";
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final int port;
  private final Path dir;

  private ReverseProxy(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Skips without nginx on a laptop; fails in CI, where {@code .ci/run} installs it. */
  static void requireNginx() {
    if (!Files.isExecutable(NGINX)) {
      String missing = "nginx (" + NGINX + "; Debian package nginx-light)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("the reverse proxy test needs " + missing);
      }
      Assumptions.abort("the reverse proxy test needs " + missing);
    }
  }

  static ReverseProxy start(Path dir, int serverPort) throws IOException {
    int port = freePort();
    Files.createDirectories(dir);
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(dir, port, serverPort));
    Process process =
        new ProcessBuilder(
                NGINX.toString(),
                "-p",
                dir.toString(),
                "-c",
                conf.toString(),
                "-e",
                dir.resolve("error.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    ReverseProxy proxy = new ReverseProxy(process, port, dir);
    HttpClient http = HttpClient.newHttpClient();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "nginx exited: " + Files.readString(dir.resolve("nginx.out")));
                }
                return http.send(
                            HttpRequest.newBuilder(proxy.uri(PREFIX + "/health/live"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200;
              });
    } catch (RuntimeException e) {
      proxy.close();
      throw new IllegalStateException(
          "nginx did not serve the Gantry server at " + proxy.uri(PREFIX + "/") + ": " + log(dir),
          e);
    }
    return proxy;
  }

  /** The operator's nginx block of docs/ui.md, with the test's ports and files. */
  private static String config(Path dir, int port, int serverPort) {
    String root = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    return root
        + "worker_processes 1;\n"
        + "daemon off;\n"
        + "pid "
        + dir.resolve("nginx.pid")
        + ";\n"
        + "error_log "
        + dir.resolve("error.log")
        + " warn;\n"
        + "events { worker_connections 128; }\n"
        + "http {\n"
        + "  access_log "
        + dir.resolve("access.log")
        + ";\n"
        + String.join(
            "",
            List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi").stream()
                .map(t -> "  " + t + "_temp_path " + dir.resolve(t + "_temp") + ";\n")
                .toList())
        + "  server {\n"
        + "    listen 127.0.0.1:"
        + port
        + ";\n"
        + "    location "
        + PREFIX
        + "/ {\n"
        + "      proxy_pass http://127.0.0.1:"
        + serverPort
        + "/;\n"
        + "      proxy_http_version 1.1;\n"
        + "      proxy_set_header Connection \"\";\n"
        + "      proxy_set_header X-Forwarded-Prefix "
        + PREFIX
        + ";\n"
        + "      proxy_buffering off;\n"
        + "      proxy_read_timeout 1h;\n"
        + "      client_max_body_size 256m;\n"
        + "    }\n"
        + "  }\n"
        + "}\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** What nginx logged, for a failure message. */
  String log() {
    return log(dir);
  }

  private static String log(Path dir) {
    try {
      Path error = dir.resolve("error.log");
      return Files.exists(error) ? Files.readString(error) : "(no error log)";
    } catch (IOException e) {
      return "(error log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: nginx's fast shutdown
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
