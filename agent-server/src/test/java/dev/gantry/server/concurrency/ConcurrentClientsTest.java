package dev.gantry.server.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.PostgresSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen clients at once against one server on PostgreSQL, over real HTTP: each creates runs,
 * pages through the run list with the keyset cursor while the others create theirs, cancels its
 * runs (two of them racing for the same one) and follows one run's SSE stream to its end. No answer
 * is a 5xx, no page traversal repeats or misses a run that existed when it started, and every
 * cancel call is in the audit trail exactly once.
 */
class ConcurrentClientsTest {
  private static final int CLIENTS = 16;
  private static final int BATCHES = 3;
  private static final int RUNS_PER_BATCH = 4;
  private static final int PAGE = 7;

  @TempDir Path home;
  private PostgresSchema schema;
  private DatabaseGantryClient gantry;
  private GantryServer server;
  private String operator;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> serverErrors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    schema = PostgresSchema.create();
    gantry = GantryClient.open(new GantryHome(home), schema.url());
    gantry.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
    operator =
        new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
            .create("ops", Role.OPERATOR, null)
            .value();
    server =
        GantryServer.start(
            gantry,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (gantry != null) {
      gantry.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  /** What one client did and saw. */
  record ClientLog(
      List<String> created,
      List<List<String>> traversals,
      List<Set<String>> knownAtStart,
      Map<String, Integer> cancelCalls,
      String followed,
      String endState) {}

  @Test
  void sixteenClientsCreateListCancelAndFollowWithoutErrorsDuplicatesOrLostRuns() throws Exception {
    Set<String> createdSoFar = ConcurrentHashMap.newKeySet();
    Map<String, String> contested = new ConcurrentHashMap<>();
    CyclicBarrier allCreated = new CyclicBarrier(CLIENTS);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<ClientLog>> futures = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        futures.add(pool.submit(() -> client(client, createdSoFar, contested, allCreated)));
      }
      List<ClientLog> logs = new ArrayList<>();
      for (Future<ClientLog> future : futures) {
        logs.add(future.get(120, TimeUnit.SECONDS));
      }

      assertThat(serverErrors).as("5xx answers").isEmpty();
      Set<String> all = new HashSet<>();
      logs.forEach(log -> all.addAll(log.created()));
      assertThat(all).hasSize(CLIENTS * BATCHES * RUNS_PER_BATCH);
      for (ClientLog log : logs) {
        for (int i = 0; i < log.traversals().size(); i++) {
          List<String> seen = log.traversals().get(i);
          assertThat(seen).as("traversal %d", i).doesNotHaveDuplicates();
          assertThat(seen).as("traversal %d", i).containsAll(log.knownAtStart().get(i));
          assertThat(all).containsAll(seen);
        }
        // The last traversal starts after every client has created all its runs.
        assertThat(log.traversals().get(log.traversals().size() - 1))
            .containsExactlyInAnyOrderElementsOf(all);
        assertThat(log.endState()).isEqualTo(gantry.run(log.followed()).state().name());
      }

      Map<String, Integer> calls = new java.util.HashMap<>();
      logs.forEach(log -> log.cancelCalls().forEach((id, n) -> calls.merge(id, n, Integer::sum)));
      List<AuditEvent> audit = gantry.backend().audit().list(Long.MAX_VALUE, 1000);
      Map<String, Integer> audited = new java.util.HashMap<>();
      for (AuditEvent event : audit) {
        if (event.action().equals("run.cancel")) {
          assertThat(event.outcome()).isEqualTo("200");
          assertThat(event.tokenName()).isEqualTo("ops");
          audited.merge(event.target(), 1, Integer::sum);
        }
      }
      Map<String, Integer> expected = new java.util.HashMap<>();
      calls.forEach((id, n) -> expected.put("/api/v1/runs/" + id + "/cancel", n));
      assertThat(audited).isEqualTo(expected);
      assertThat(calls.values()).as("a contested run was cancelled twice").contains(2);
      assertThat(audit.stream().filter(e -> e.action().equals("run.create")))
          .hasSize(CLIENTS * BATCHES)
          .allSatisfy(e -> assertThat(e.outcome()).isEqualTo("201"));
    } finally {
      pool.shutdownNow();
    }
  }

  private ClientLog client(
      int client, Set<String> createdSoFar, Map<String, String> contested, CyclicBarrier allCreated)
      throws Exception {
    List<String> created = new ArrayList<>();
    List<List<String>> traversals = new ArrayList<>();
    List<Set<String>> known = new ArrayList<>();
    for (int batch = 0; batch < BATCHES; batch++) {
      JsonNode runs =
          call("POST", "/api/v1/runs", "{\"flow\":\"etl\",\"count\":" + RUNS_PER_BATCH + "}", 201);
      for (JsonNode run : runs) {
        created.add(run.get("id").asText());
      }
      createdSoFar.addAll(created);
      known.add(Set.copyOf(createdSoFar));
      traversals.add(traverse());
    }
    allCreated.await(60, TimeUnit.SECONDS);
    known.add(Set.copyOf(createdSoFar));
    traversals.add(traverse());

    // Each client cancels its runs; client n also cancels the first run of client n+1, which
    // that client cancels too: two cancels of one run at about the same time.
    Map<String, Integer> cancels = new java.util.HashMap<>();
    contested.put("client-" + client, created.get(0));
    String rival = null;
    while (rival == null) {
      rival = contested.get("client-" + ((client + 1) % CLIENTS));
      Thread.onSpinWait();
    }
    List<String> targets = new ArrayList<>(created.subList(0, RUNS_PER_BATCH));
    targets.add(rival);
    for (String id : targets) {
      JsonNode result = call("POST", "/api/v1/runs/" + id + "/cancel", null, 200);
      assertThat(result.get("id").asText()).isEqualTo(id);
      cancels.merge(id, 1, Integer::sum);
    }
    String followed = created.get(1);
    return new ClientLog(created, traversals, known, cancels, followed, follow(followed));
  }

  /** Every page of the run list, newest first, following the cursor to the end. */
  private List<String> traverse() throws Exception {
    List<String> seen = new ArrayList<>();
    String next = null;
    do {
      JsonNode page =
          call(
              "GET",
              "/api/v1/runs?flow=etl&limit=" + PAGE + (next == null ? "" : "&after=" + next),
              null,
              200);
      page.get("items").forEach(run -> seen.add(run.get("id").asText()));
      next = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (next != null);
    return seen;
  }

  /** Follows a run's event stream to its {@code end} event; returns the end's state. */
  private String follow(String runId) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base() + "/api/v1/runs/" + runId + "/events"))
            .header("Authorization", "Bearer " + operator)
            .header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    record(response.statusCode(), "GET events of " + runId);
    assertThat(response.statusCode()).isEqualTo(200);
    String event = null;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:") && "end".equals(event)) {
          return Json.mapper().readTree(line.substring(5)).get("state").asText();
        }
      }
    }
    throw new AssertionError("the stream of run " + runId + " ended without an end event");
  }

  private JsonNode call(String method, String path, String body, int expected) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Authorization", "Bearer " + operator)
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    record(response.statusCode(), method + " " + path + ": " + response.body());
    assertThat(response.statusCode())
        .as("%s %s: %s", method, path, response.body())
        .isEqualTo(expected);
    return Json.mapper().readTree(response.body());
  }

  private void record(int status, String what) {
    if (status >= 500) {
      serverErrors.add(status + " " + what);
    }
  }

  private String base() {
    return "http://127.0.0.1:" + server.port();
  }
}
