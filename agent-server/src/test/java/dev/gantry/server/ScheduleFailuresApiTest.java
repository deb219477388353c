package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.schedule.FlowScheduler;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/schedules/failures over a real scheduler whose fires the flow refuses. */
class ScheduleFailuresApiTest {
  @TempDir Path home;

  @Test
  void aViewerSeesTheScheduleThatFailedToFireWithWhenAndWhy() throws Exception {
    try (ServerHarness harness = new ServerHarness(home, null)) {
      JdbcBackend backend = (JdbcBackend) harness.gantry.backend();
      backend.flows().register(refusedEverySecond());
      String viewer =
          new ApiTokens(backend.tokens(), Clock.systemUTC())
              .create("watcher", Role.VIEWER, Duration.ofHours(1))
              .value();
      assertThat(failures(harness, viewer)).isEmpty();

      Instant started = Instant.now();
      try (FlowScheduler scheduler =
          FlowScheduler.start(
              backend,
              backend.dataSource(),
              FlowScheduler.Options.defaults().withSyncInterval(Duration.ofMillis(300)))) {
        await().atMost(Duration.ofSeconds(20)).until(() -> failures(harness, viewer).size() == 1);
      }

      JsonNode failure = failures(harness, viewer).get(0);
      assertThat(failure.get("flow").asText()).isEqualTo("nightly");
      assertThat(Instant.parse(failure.get("fireAt").asText())).isAfter(started.minusSeconds(2));
      assertThat(failure.get("reason").asText()).contains("'region'");
      HttpResponse<String> anonymous = harness.get("/api/v1/schedules/failures");
      assertThat(anonymous.statusCode()).isEqualTo(401);
    }
  }

  private static List<JsonNode> failures(ServerHarness harness, String token) throws Exception {
    HttpResponse<String> response =
        harness.send(
            HttpRequest.newBuilder(harness.uri("/api/v1/schedules/failures"))
                .header("Authorization", "Bearer " + token)
                .GET());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = Json.mapper().readTree(response.body());
    List<JsonNode> out = new java.util.ArrayList<>();
    body.forEach(out::add);
    return out;
  }

  /** A module flow with a required parameter: a schedule gives none, so every fire is refused. */
  private static NewFlowVersion refusedEverySecond() {
    return new NewFlowVersion(
        "nightly",
        BundleFormat.module,
        "module:com.acme.Flows#nightly",
        null,
        "com.acme.Flows#nightly",
        null,
        List.of(),
        Set.of(),
        List.of(new ParameterSpec("region", "String", null, true)),
        RunPolicy.DEFAULT,
        FlowSchedule.every(Duration.ofSeconds(1)));
  }
}
