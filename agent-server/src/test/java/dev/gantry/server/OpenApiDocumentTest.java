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

  /** The web UI's page and sign-in are the browser's routes, not the API's. */
  private static Set<String> apiRoutes(Set<String> served) {
    Set<String> api = new TreeSet<>(served);
    api.removeIf(route -> route.endsWith(" /") || route.contains(" /ui"));
    return api;
  }
}
