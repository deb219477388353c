package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's events over SSE, from the start and resumed with Last-Event-ID. */
class RunEventsTest {
  @TempDir Path home;
  private final HttpClient http = HttpClient.newHttpClient();

  /** One SSE event as the client sees it. */
  record Event(String id, String name, String data) {}

  private List<Event> stream(URI uri, String token, String lastEventId) throws Exception {
    return stream(uri, token, lastEventId, event -> event.name().equals("end"));
  }

  private List<Event> stream(
      URI uri, String token, String lastEventId, java.util.function.Predicate<Event> last)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(60));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Accel-Buffering")).hasValue("no");
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    List<Event> events = new ArrayList<>();
    String id = null;
    String name = null;
    StringBuilder data = new StringBuilder();
    for (String line : (Iterable<String>) response.body()::iterator) {
      if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        name = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      } else if (line.isEmpty() && name != null) {
        Event event = new Event(id, name, data.toString());
        events.add(event);
        if (last.test(event)) {
          break;
        }
        name = null;
        data.setLength(0);
      }
    }
    response.body().close();
    return events;
  }

  @Test
  void aRunsStatesTasksAndLogsStreamUntilItEndsAndResumeAfterTheLastEventId() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      String viewer =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("watcher", Role.VIEWER, null)
              .value();
      FlowRun run = gantry.run("chatty", Map.of("lines", "20"));
      URI events =
          URI.create("http://127.0.0.1:" + server.port() + "/api/v1/runs/" + run.id() + "/events");
      gantry.startAgent(LocalGantry.quickOptions("sse"));

      List<Event> all = stream(events, viewer, null);

      assertThat(all).extracting(Event::name).contains("state", "task", "log").endsWith("end");
      List<String> states = new ArrayList<>();
      for (Event event : all) {
        if (event.name().equals("state")) {
          states.add(Json.mapper().readTree(event.data()).get("state").asText());
        }
      }
      assertThat(states).containsSubsequence("Scheduled", "Running", "Success");
      long logs = all.stream().filter(e -> e.name().equals("log")).count();
      assertThat(logs).isEqualTo(gantry.client.logs(run.id(), 0, 10_000).size());
      JsonNode end = Json.mapper().readTree(all.get(all.size() - 1).data());
      assertThat(end.get("state").asText()).isEqualTo(RunState.Success.name());

      Event middle =
          all.stream().filter(e -> e.name().equals("log")).skip(5).findFirst().orElseThrow();
      List<Event> resumed = stream(events, viewer, middle.id());
      List<String> logIdsBefore =
          all.subList(0, all.indexOf(middle) + 1).stream()
              .filter(e -> e.name().equals("log"))
              .map(Event::data)
              .toList();
      // States and log lines resume after the id; task events are snapshots, sent again.
      List<String> statesAfter =
          all.subList(all.indexOf(middle) + 1, all.size()).stream()
              .filter(e -> e.name().equals("state"))
              .map(Event::data)
              .toList();
      assertThat(resumed.stream().filter(e -> e.name().equals("state")).map(Event::data))
          .containsExactlyElementsOf(statesAfter);
      assertThat(resumed).extracting(Event::name).endsWith("end");
      assertThat(resumed.stream().filter(e -> e.name().equals("log")).map(Event::data))
          .doesNotContainAnyElementsOf(logIdsBefore)
          .hasSize((int) logs - logIdsBefore.size());

      HttpResponse<String> bad =
          http.send(
              HttpRequest.newBuilder(events)
                  .header("Authorization", "Bearer " + viewer)
                  .header("Accept", "text/event-stream")
                  .header("Last-Event-ID", "garbage")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      HttpResponse<String> notAStreamClient =
          http.send(
              HttpRequest.newBuilder(events).header("Authorization", "Bearer " + viewer).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(notAStreamClient.statusCode()).isEqualTo(406);
    }
  }

  @Test
  void theRunListStreamCarriesEveryChangeOfARunCreatedAfterSubscribing() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      String viewer =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("watcher", Role.VIEWER, null)
              .value();
      URI events = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/runs/events");
      java.util.concurrent.CompletableFuture<List<Event>> seen =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return stream(events, viewer, null, e -> e.data().contains("\"Success\""));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // Authenticated means subscribing now; the stream's look-back covers the moment between.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gantry.client.backend().tokens().list().get(0).lastUsedAt() != null);
      FlowRun run = gantry.run("chatty", Map.of("lines", "3"));
      gantry.startAgent(LocalGantry.quickOptions("sse-list"));

      List<Event> received = seen.get(60, java.util.concurrent.TimeUnit.SECONDS);

      List<String> states = new ArrayList<>();
      for (Event event : received) {
        JsonNode view = Json.mapper().readTree(event.data());
        assertThat(event.name()).isEqualTo("run");
        assertThat(view.get("id").asText()).isEqualTo(run.id());
        assertThat(event.id()).isEqualTo(view.get("updatedAt").asText());
        states.add(view.get("state").asText());
      }
      // The list stream carries each run as it is when polled: states that came and went
      // between two polls are folded into the next (the run's own stream has every one).
      assertThat(states).endsWith("Success").doesNotHaveDuplicates();
      assertThat(List.of("Scheduled", "Submitted", "Running", "Success"))
          .containsSubsequence(states);

      HttpResponse<String> bad =
          http.send(
              HttpRequest.newBuilder(events)
                  .header("Authorization", "Bearer " + viewer)
                  .header("Accept", "text/event-stream")
                  .header("Last-Event-ID", "yesterday")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
    }
  }
}
