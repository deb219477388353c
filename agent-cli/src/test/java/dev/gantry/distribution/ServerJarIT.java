package dev.gantry.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when", as a user types it: {@code gantry server start --with-local-agent} from
 * the packaged jar on the embedded default, a token from {@code gantry token create}, a run created
 * over HTTP reaching Success on the server's own local agent, and 401 without a token.
 */
class ServerJarIT {
  private static final Pattern LISTENING = Pattern.compile("Gantry server on (http://[0-9.:]+)");
  private static final Pattern TOKEN = Pattern.compile("gantry_[A-Za-z0-9_-]+");

  @TempDir Path dir;
  private Process server;

  @AfterEach
  void stop() {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
    }
  }

  @Test
  void oneCommandServesTheApiAndRunsWhatItIsGiven() throws Exception {
    Path home = dir.resolve("home");
    try (LocalGantry gantry = new LocalGantry(home)) {
      gantry.registerExample("dev.gantry.examples.Etl#etl");
    }
    Path serverLog = dir.resolve("server.log");
    server =
        GantryJar.start(
            serverLog, "server", "start", "--with-local-agent", "--port", "0", "--home", "" + home);
    String base = awaitAddress(serverLog);

    Path tokenLog = dir.resolve("token.log");
    Process create =
        GantryJar.start(
            tokenLog, "token", "create", "ci", "--role", "operator", "--home", "" + home);
    assertThat(create.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Matcher token = TOKEN.matcher(Files.readString(tokenLog));
    assertThat(token.find()).as(Files.readString(tokenLog)).isTrue();
    String bearer = "Bearer " + token.group();

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/runs")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/runs"))
                .header("Authorization", bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"flow\":\"etl\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    Matcher id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(created.body());
    assertThat(id.find()).as(created.body()).isTrue();

    HttpRequest show =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + id.group(1)))
            .header("Authorization", bearer)
            .build();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(http.send(show, HttpResponse.BodyHandlers.ofString()).body())
                    .as(Files.readString(serverLog))
                    .contains("\"state\":\"Success\""));

    server.destroy(); // SIGTERM: the agent stops, then the server
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(serverLog)).isTrue();
  }

  private String awaitAddress(Path log) {
    String[] address = new String[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Matcher m = LISTENING.matcher(Files.readString(log));
              if (m.find()) {
                address[0] = m.group(1);
              }
              return address[0] != null || !server.isAlive();
            });
    assertThat(address[0]).as("server address; log: %s", readQuietly(log)).isNotNull();
    return address[0];
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
