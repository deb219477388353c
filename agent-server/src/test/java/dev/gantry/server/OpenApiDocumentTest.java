package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.json.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served OpenAPI document names exactly the routes the router serves. */
class OpenApiDocumentTest {
  @TempDir Path home;

  @Test
  void theDocumentNamesEveryServedRouteAndNoOther() throws Exception {
    try (ServerHarness harness = new ServerHarness(home, null)) {
      HttpResponse<String> response = harness.get("/api/openapi.json");
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode document = Json.mapper().readTree(response.body());
      assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");

      Set<String> documented = new TreeSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
          paths.hasNext(); ) {
        Map.Entry<String, JsonNode> path = paths.next();
        path.getValue()
            .fieldNames()
            .forEachRemaining(
                method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
      }

      assertThat(documented)
          .contains("GET /health/live", "POST /api/v1/runs", "GET /api/v1/runs/{id}/events")
          .isEqualTo(apiRoutes(harness.server.servedRoutes()));
    }
  }

  @Test
  void everyRouteThatReadsABodyIsDocumentedWithItsSchema() throws Exception {
    try (ServerHarness harness = new ServerHarness(home, null)) {
      String admin =
          new dev.gantry.server.auth.ApiTokens(
                  harness.gantry.backend().tokens(), java.time.Clock.systemUTC())
              .create("root", dev.gantry.server.auth.Role.ADMIN, null)
              .value();
      JsonNode paths = Json.mapper().readTree(harness.get("/api/openapi.json").body()).get("paths");
      Set<String> readBodies = new TreeSet<>();
      Set<String> documentedBodies = new TreeSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> path = it.next();
        for (String method : new String[] {"post", "put"}) {
          JsonNode operation = path.getValue().get(method);
          if (operation == null) {
            continue;
          }
          String route = method.toUpperCase(Locale.ROOT) + " " + path.getKey();
          if (operation.has("requestBody")) {
            documentedBodies.add(route);
          }
          // A route that reads a body refuses a text/plain one with 415 before it reads it.
          String target =
              path.getKey().replace("{name}", "no-such-name").replace("{id}", "0000dead");
          int status =
              harness
                  .send(
                      java.net.http.HttpRequest.newBuilder(harness.uri(target))
                          .header("Authorization", "Bearer " + admin)
                          .header("Content-Type", "text/plain")
                          .method(
                              method.toUpperCase(Locale.ROOT),
                              java.net.http.HttpRequest.BodyPublishers.ofString("{}")))
                  .statusCode();
          if (status == 415) {
            readBodies.add(route);
          }
        }
      }
      assertThat(readBodies)
          .contains("POST /api/v1/runs", "POST /api/v1/flows", "PUT /api/v1/secrets/{name}")
          .isEqualTo(documentedBodies);

      JsonNode newRuns =
          paths
              .get("/api/v1/runs")
              .get("post")
              .get("requestBody")
              .get("content")
              .get("application/json")
              .get("schema");
      assertThat(newRuns.get("properties").fieldNames())
          .toIterable()
          .containsExactly("flow", "version", "parameters", "labels", "count");
      assertThat(newRuns.get("properties").get("labels").get("items").get("type").asText())
          .isEqualTo("string");
      assertThat(newRuns.get("additionalProperties").asBoolean()).isFalse();
      JsonNode upload =
          paths
              .get("/api/v1/flows")
              .get("post")
              .get("requestBody")
              .get("content")
              .get("multipart/form-data")
              .get("schema");
      assertThat(upload.get("required").toString()).contains("registration");
      assertThat(upload.get("oneOf").toString()).contains("[\"jar\"]", "[\"bundle\"]");
      assertThat(upload.at("/properties/bundle/contentMediaType").asText())
          .isEqualTo("application/zip");
      assertThat(upload.at("/properties/registration/properties/factory/type").asText())
          .isEqualTo("string");
    }
  }

  /** The web UI's page and sign-in are the browser's routes, not the API's. */
  private static Set<String> apiRoutes(Set<String> served) {
    Set<String> api = new TreeSet<>(served);
    api.removeIf(route -> route.endsWith(" /") || route.contains(" /ui"));
    return api;
  }
}
