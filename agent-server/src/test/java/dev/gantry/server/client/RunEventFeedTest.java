package dev.gantry.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.io.InputStream;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A run's event stream read by the remote client over real HTTP from a real server: resumed with
 * Last-Event-ID across a server restart with nothing lost or repeated; refused at once for a run
 * that does not exist; and, on the server side, a client that leaves mid-stream is dropped without
 * a warning per event still to send.
 */
class RunEventFeedTest {
  @TempDir Path home;

  private static GantryServer serve(DatabaseGantryClient gantry, int port) {
    return GantryServer.start(
        gantry,
        new GantryServer.Settings("127.0.0.1", port, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
  }

  private static String viewerToken(DatabaseGantryClient gantry) {
    return new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
        .create("feed-viewer", Role.VIEWER, null)
        .value();
  }

  @Test
  void aStreamBrokenByAServerRestartResumesFromItsLastEventWithNothingLostOrRepeated()
      throws Exception {
    try (DatabaseGantryClient gantry = GantryClient.open(new GantryHome(home), null)) {
      gantry.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Greeting#greeting"));
      // no agent has this label: the run stays Scheduled until cancelled
      FlowRun run = gantry.createRun("greeting", Map.of(), Set.of("no-agent-has-this"));
      GantryServer first = serve(gantry, 0);
      int port = first.port();
      GantryServer second = null;
      ApiGantryClient client =
          ApiGantryClient.connect("http://127.0.0.1:" + port, viewerToken(gantry));
      List<RunEvent> seen = new ArrayList<>();
      try (RunEventFeed feed = client.events(run.id())) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> seen.addAll(feed.poll(Duration.ofMillis(100))) && !seen.isEmpty());
        assertThat(feed.lastEventId()).isEqualTo("1:0");

        first.close(); // the stream breaks; the feed retries against nothing
        gantry.cancel(run.id());
        second = serve(gantry, port);

        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  seen.addAll(feed.poll(Duration.ofMillis(100)));
                  return !seen.isEmpty() && seen.get(seen.size() - 1) instanceof RunEvent.End;
                });
        assertThat(feed.connections()).isEqualTo(2);
      } finally {
        if (second != null) {
          second.close();
        }
      }
      List<RunState> states =
          seen.stream()
              .filter(e -> e instanceof RunEvent.State)
              .map(e -> ((RunEvent.State) e).change().state())
              .toList();
      assertThat(states).containsExactly(RunState.Scheduled, RunState.Cancelled);
      assertThat(seen.get(seen.size() - 1)).isEqualTo(new RunEvent.End(RunState.Cancelled));
    }
  }

  @Test
  void aStreamOfARunThatDoesNotExistFailsWithTheDatabaseModesMessage() {
    try (DatabaseGantryClient gantry = GantryClient.open(new GantryHome(home), null);
        GantryServer server = serve(gantry, 0)) {
      ApiGantryClient client =
          ApiGantryClient.connect("http://127.0.0.1:" + server.port(), viewerToken(gantry));
      try (RunEventFeed feed = client.events("00000000-dead")) {
        assertThatThrownBy(
                () -> {
                  while (true) {
                    feed.poll(Duration.ofSeconds(1));
                  }
                })
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("no run with id '00000000-dead'; see `gantry run list`");
      }
      assertThatThrownBy(() -> client.events("zz"))
          .isInstanceOf(GantryClient.UnknownRunException.class);
    }
  }

  @Test
  void aClientThatLeavesMidStreamIsDroppedWithoutAWarningPerEventLeft() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (LocalGantry local = new LocalGantry(home)) {
      local.startAgent(LocalGantry.quickOptions("feed-test"));
      local.registerExample("dev.gantry.examples.Chatty#chatty");
      FlowRun run = local.run("chatty", Map.of("lines", "3000"));
      local.awaitEnd(run.id(), Duration.ofSeconds(60));
      try (GantryServer server = serve(local.client, 0)) {
        String token = viewerToken(local.client);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 3; i++) {
          HttpResponse<InputStream> response =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + server.port()
                                  + "/api/v1/runs/"
                                  + run.id()
                                  + "/events"))
                      .header("Authorization", "Bearer " + token)
                      .header("Accept", "text/event-stream")
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
          assertThat(response.statusCode()).isEqualTo(200);
          try (var lines =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            do {
              line = lines.readLine();
            } while (line != null && !line.equals("event: log"));
          } // leave after the first log line: the server has 2999 more to send, a poll at a time
        }
        // over the polls that follow (1000 lines each), no write goes to the clients that left
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .until(() -> terminatedWarnings(logs) == 0);
      }
    } finally {
      root.detachAppender(logs);
    }
    assertThat(terminatedWarnings(logs)).isZero();
  }

  private static long terminatedWarnings(ListAppender<ILoggingEvent> logs) {
    synchronized (logs) { // AppenderBase appends under the appender's lock
      return logs.list.stream()
          .filter(e -> e.getFormattedMessage().contains("SseClient has been terminated"))
          .count();
    }
  }
}
