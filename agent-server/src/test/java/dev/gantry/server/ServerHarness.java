package dev.gantry.server;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A real server on 127.0.0.1 and a random port over a real backend, called over real HTTP. */
final class ServerHarness implements AutoCloseable {
  final DatabaseGantryClient gantry;
  final GantryServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ServerHarness(Path home, String databaseUrl) {
    this(
        home,
        databaseUrl,
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
  }

  ServerHarness(Path home, String databaseUrl, GantryServer.Settings settings) {
    this.gantry = GantryClient.open(new GantryHome(home), databaseUrl);
    this.server = GantryServer.start(gantry, settings);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<java.io.InputStream> stream(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  @Override
  public void close() {
    server.close();
    gantry.close();
  }
}
