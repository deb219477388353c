package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.json.Json;
import dev.gantry.server.json.RunDtos;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/runs/events}: every run change ({@code run} events carrying the run) as
 * Server-Sent Events, for live run lists. Each event's id is the change's time; with {@code
 * Last-Event-ID} a client gets the changes from then on. Delivery is at least once: a change may
 * come twice after a resume, never not at all while the stream is open (changes are re-read with a
 * {@link #LOOK_BACK} for writers whose commits land late). Each event is the run as it is when
 * polled, so states that came and went between two polls are folded into the next; a run's own
 * stream ({@link RunEvents}) has every state.
 */
public final class RunListEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunListEvents.class);
  static final Duration LOOK_BACK = Duration.ofSeconds(2);
  private static final int BATCH = 500;
  private static final String SINCE = "gantry.events.since";

  private final GantryClient gantry;
  private final Clock clock;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;
  private final SseHandler sse = new SseHandler(this::subscribe);

  public RunListEvents(GantryClient gantry, Clock clock, Duration pollInterval) {
    this.gantry = gantry;
    this.clock = clock;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "gantry-run-list-events");
              thread.setDaemon(true);
              return thread;
            });
    ticker.scheduleWithFixedDelay(
        this::tick, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ApiRoute route() {
    return ApiRoute.read(
        API + "/runs/events",
        Role.VIEWER,
        "Every run change as Server-Sent Events, for live run lists",
        this::open);
  }

  private void open(Context ctx) throws Exception {
    RunEvents.requireEventStream(ctx);
    ctx.attribute(SINCE, since(ctx.header("Last-Event-ID")));
    sse.handle(ctx);
  }

  private Instant since(String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank()) {
      return clock.instant();
    }
    try {
      return Instant.parse(lastEventId.trim());
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "Last-Event-ID '" + lastEventId + "' is not an event id of this stream");
    }
  }

  private void subscribe(SseClient client) {
    Subscription subscription = new Subscription(client, client.ctx().attribute(SINCE));
    client.keepAlive();
    client.onClose(() -> subscriptions.remove(subscription));
    subscriptions.add(subscription);
  }

  private void tick() {
    for (Subscription subscription : subscriptions) {
      try {
        if (subscription.client.terminated()) {
          subscriptions.remove(subscription);
        } else {
          subscription.poll();
        }
      } catch (ClientGone gone) {
        subscriptions.remove(subscription); // the client left: nothing to log, nothing to send
      } catch (RuntimeException e) {
        LOG.warn("run list events: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    subscriptions.forEach(s -> s.client.close());
    subscriptions.clear();
  }

  private final class Subscription {
    final SseClient client;
    private Instant since;

    /** The changes sent within the look-back window: run id → its updatedAt. */
    private final Map<String, Instant> sent = new HashMap<>();

    private long lastSentNanos = System.nanoTime();

    Subscription(SseClient client, Instant since) {
      this.client = client;
      this.since = since;
    }

    void poll() {
      List<FlowRun> changed = gantry.runsChangedSince(since.minus(LOOK_BACK), BATCH);
      Instant newest = since;
      for (FlowRun run : changed) {
        if (run.updatedAt().equals(sent.get(run.id()))) {
          continue;
        }
        sent.put(run.id(), run.updatedAt());
        send(run);
        if (run.updatedAt().isAfter(newest)) {
          newest = run.updatedAt();
        }
      }
      since = newest;
      Instant forget = since.minus(LOOK_BACK);
      sent.values().removeIf(at -> at.isBefore(forget));
      if (System.nanoTime() - lastSentNanos >= RunEvents.KEEP_ALIVE.toNanos()) {
        ClientGone.check(client);
        client.sendComment("keep-alive");
        lastSentNanos = System.nanoTime();
      }
    }

    private void send(FlowRun run) {
      try {
        ClientGone.check(client);
        client.sendEvent(
            "run",
            Json.mapper().writeValueAsString(RunDtos.RunView.of(run)),
            run.updatedAt().toString());
        ClientGone.check(client); // a failed write closes the client
        lastSentNanos = System.nanoTime();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a run event as JSON", e);
      }
    }
  }
}
