package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.PostgresSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run created through the API is run to Success by a local agent; the API shows it whole. */
class ApiRunEndToEndTest {
  @TempDir Path home;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aRunCreatedOverHttpReachesSuccessAndIsListedShownAndLogged() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      String operator =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("op", Role.OPERATOR, Duration.ofHours(1))
              .value();
      Api api = new Api(http, URI.create("http://127.0.0.1:" + server.port()), operator);
      gantry.startAgent(LocalGantry.quickOptions("api-e2e"));

      HttpResponse<String> created =
          api.post("/api/v1/runs", "{\"flow\": \"chatty\", \"parameters\": {\"lines\": \"5\"}}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = Json.mapper().readTree(created.body()).get(0).get("id").asText();

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> api.json("/api/v1/runs/" + id).get("run").get("state").asText(),
              "SUCCESS"::equalsIgnoreCase);

      JsonNode detail = api.json("/api/v1/runs/" + id.substring(0, 8));
      assertThat(detail.get("history").findValuesAsText("state"))
          .containsSubsequence("Scheduled", "Submitted", "Running", "Success");
      JsonNode logs = api.json("/api/v1/runs/" + id + "/logs?limit=2");
      assertThat(logs.get("items")).hasSize(2);
      JsonNode rest = api.json("/api/v1/runs/" + id + "/logs?after=" + logs.get("next").asText());
      assertThat(rest.get("items").get(0).get("id").asLong())
          .isGreaterThan(logs.get("items").get(1).get("id").asLong());
      JsonNode succeeded = api.json("/api/v1/runs?flow=chatty&state=success");
      assertThat(succeeded.get("items").findValuesAsText("id")).containsExactly(id);
      assertThat(api.json("/api/v1/runs?state=failed").get("items")).isEmpty();
      assertThat(api.json("/api/v1/runs/" + id + "/explain").get("verdict").asText())
          .isEqualTo("NOT_WAITING");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void theRunListPagesWithAKeysetCursorThroughEveryRunOnce(String database) throws Exception {
    try (PostgresSchema schema = database.equals("postgres") ? PostgresSchema.create() : null;
        LocalGantry gantry =
            schema == null ? new LocalGantry(home) : new LocalGantry(home, schema.url());
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      String operator =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("op", Role.OPERATOR, null)
              .value();
      Api api = new Api(http, URI.create("http://127.0.0.1:" + server.port()), operator);
      HttpResponse<String> created =
          api.post("/api/v1/runs", "{\"flow\": \"chatty\", \"count\": 7}");
      assertThat(created.statusCode()).isEqualTo(201);
      List<String> createdIds = Json.mapper().readTree(created.body()).findValuesAsText("id");

      List<String> seen = new ArrayList<>();
      String next = null;
      int pages = 0;
      do {
        JsonNode page = api.json("/api/v1/runs?limit=3" + (next == null ? "" : "&after=" + next));
        seen.addAll(page.get("items").findValuesAsText("id"));
        next = page.hasNonNull("next") ? page.get("next").asText() : null;
        pages++;
      } while (next != null);

      assertThat(pages).isEqualTo(3);
      assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(createdIds);
      assertThat(api.get("/api/v1/runs?after=not-a-cursor").statusCode()).isEqualTo(400);
      assertThat(api.get("/api/v1/runs?state=nonsense").statusCode()).isEqualTo(400);
      assertThat(api.get("/api/v1/runs?createdFrom=yesterday").statusCode()).isEqualTo(400);
      assertThat(api.post("/api/v1/runs", "{\"flow\": \"chatty\", \"count\": 0}").statusCode())
          .isEqualTo(400);
      assertThat(api.post("/api/v1/runs", "{\"flow\": \"nope\"}").statusCode()).isEqualTo(404);
      assertThat(gantry.client.runs(null, java.util.Set.of(), 100)).hasSize(7);
    }
  }

  private record Api(HttpClient http, URI base, String token) {
    HttpResponse<String> get(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path))
              .header("Authorization", "Bearer " + token)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
      return Json.mapper().readTree(response.body());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }
}
