package dev.gantry.storage.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP file server on 127.0.0.1, like an Artifactory generic repository: PUT stores the body
 * under the path, GET returns it, every request must carry {@code Authorization: Bearer TOKEN}
 * (else 401). It records the {@code X-Checksum-Sha256} headers it received.
 */
public final class BundleHttpServer implements AutoCloseable {
  public static final String TOKEN = "Bearer http-storage-token-7f3a";

  private final Path root;
  private final HttpServer server;
  private final ExecutorService executor;
  private final List<String> checksums = new CopyOnWriteArrayList<>();

  private BundleHttpServer(Path root) throws IOException {
    this.root = Files.createDirectories(root).toAbsolutePath().normalize();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newFixedThreadPool(4);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static BundleHttpServer start(Path root) throws IOException {
    return new BundleHttpServer(root);
  }

  /** The URL of the {@code /flows} directory. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/flows";
  }

  /** The file behind a URL of this server. */
  public Path file(String url) {
    String path = url.substring(("http://127.0.0.1:" + server.getAddress().getPort()).length());
    int hash = path.indexOf('#');
    return root.resolve((hash < 0 ? path : path.substring(0, hash)).substring(1));
  }

  public List<String> checksums() {
    return checksums;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!file.startsWith(root)) {
        exchange.sendResponseHeaders(403, -1);
        return;
      }
      switch (exchange.getRequestMethod()) {
        case "PUT" -> {
          String sum = exchange.getRequestHeaders().getFirst("X-Checksum-Sha256");
          if (sum != null) {
            checksums.add(sum);
          }
          Files.createDirectories(file.getParent());
          Path partial = Files.createTempFile(file.getParent(), ".put-", ".partial");
          try (InputStream in = exchange.getRequestBody()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
          }
          Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
          exchange.sendResponseHeaders(201, -1);
        }
        case "GET" -> {
          if (!Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(file));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(file, out);
          }
        }
        default -> exchange.sendResponseHeaders(405, -1);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
