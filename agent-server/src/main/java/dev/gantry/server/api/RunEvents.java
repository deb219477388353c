package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.json.Json;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
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
 * {@code GET /api/v1/runs/{id}/events}: a run's state changes ({@code state}), task states ({@code
 * task}) and log lines ({@code log}) as Server-Sent Events, then {@code end} once the run has ended
 * and everything is sent. Each event's id is the position {@code STATES:LOG_ID}; a client that
 * reconnects with {@code Last-Event-ID} gets only what came after it. One ticker thread polls the
 * backend for every subscriber; a comment every {@link #KEEP_ALIVE} keeps proxies from closing an
 * idle stream.
 */
public final class RunEvents implements AutoCloseable {
  public static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
  private static final String RUN_ID = "gantry.events.runId";
  private static final int LOG_BATCH = 1000;
  private static final String EVENT_STREAM = "text/event-stream";

  private final GantryClient gantry;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;
  private final SseHandler sse = new SseHandler(this::subscribe);

  public RunEvents(GantryClient gantry, Duration pollInterval) {
    this.gantry = gantry;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "gantry-run-events");
              thread.setDaemon(true);
              return thread;
            });
    ticker.scheduleWithFixedDelay(
        this::tick, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ApiRoute route() {
    return ApiRoute.read(
        API + "/runs/{id}/events",
        Role.VIEWER,
        "A run's states, task states and log lines as Server-Sent Events",
        this::open);
  }

  /** Checks the run before the stream starts, so a bad id is still a problem detail. */
  private void open(Context ctx) throws Exception {
    FlowRun run = gantry.run(RunResources.runId(ctx));
    start(ctx); // a bad position is a 400 before the stream starts
    requireEventStream(ctx);
    ctx.attribute(RUN_ID, run.id());
    sse.handle(ctx); // Javalin's SSE adds Cache-Control: no-cache and X-Accel-Buffering: no
  }

  /**
   * A 406 for a client that does not ask for an event stream (Javalin's SSE would answer empty).
   */
  static void requireEventStream(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains(EVENT_STREAM)) {
      throw new dev.gantry.server.http.ApiException(
          406, "Not Acceptable", "this route streams events: send Accept: " + EVENT_STREAM);
    }
  }

  private void subscribe(SseClient client) {
    String runId = client.ctx().attribute(RUN_ID);
    Subscription subscription =
        new Subscription(runId, client, start(client.ctx()));
    client.keepAlive();
    client.onClose(() -> subscriptions.remove(subscription));
    subscriptions.add(subscription);
  }

  private void tick() {
    for (Subscription subscription : subscriptions) {
      try {
        if (subscription.client.terminated() || subscription.poll()) {
          subscriptions.remove(subscription);
          subscription.client.close();
        }
      } catch (ClientGone gone) {
        subscriptions.remove(subscription); // the client left: nothing to log, nothing to send
      } catch (RuntimeException e) {
        LOG.warn("run events for {}: {}", subscription.runId, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    subscriptions.forEach(s -> s.client.close());
    subscriptions.clear();
  }

  /**
   * Where a stream starts: after {@code Last-Event-ID} when the client resumes, else after the
   * {@code from} query value (an event id, e.g. the UI's "0:4200" once it has read the log up to
   * line 4200 in pages), else at the beginning.
   */
  private static Position start(Context ctx) {
    String resumed = ctx.header("Last-Event-ID");
    if (resumed != null || ctx.queryParam("from") == null) {
      return Position.parse(resumed);
    }
    try {
      return Position.parse(ctx.queryParam("from"));
    } catch (dev.gantry.server.http.ApiException e) {
      throw dev.gantry.server.http.ApiException.badRequest(
          "from '" + ctx.queryParam("from") + "' is not an event id of this stream (STATES:LOG_ID)");
    }
  }

  /** Where a stream is: how many state changes and which log line it has sent. */
  record Position(int states, long logId) {
    static Position parse(String lastEventId) {
      if (lastEventId == null || lastEventId.isBlank()) {
        return new Position(0, 0);
      }
      String[] parts = lastEventId.trim().split(":");
      try {
        if (parts.length == 2) {
          int states = Integer.parseInt(parts[0]);
          long logId = Long.parseLong(parts[1]);
          if (states >= 0 && logId >= 0) {
            return new Position(states, logId);
          }
        }
      } catch (NumberFormatException e) {
        // refused below
      }
      throw dev.gantry.server.http.ApiException.badRequest(
          "Last-Event-ID '" + lastEventId + "' is not an event id of this stream");
    }

    String id() {
      return states + ":" + logId;
    }
  }

  private final class Subscription {
    final String runId;
    final SseClient client;
    private Position position;
    private final Map<String, TaskRun> tasksSent = new HashMap<>();
    private long lastSentNanos = System.nanoTime();

    Subscription(String runId, SseClient client, Position position) {
      this.runId = runId;
      this.client = client;
      this.position = position;
    }

    /** Sends what is new; true when the run has ended and everything is sent. */
    boolean poll() {
      FlowRun run = gantry.run(runId);
      List<StateChange> history = gantry.history(runId);
      for (int i = position.states(); i < history.size(); i++) {
        position = new Position(i + 1, position.logId());
        send("state", history.get(i));
      }
      for (TaskRun task : gantry.tasks(runId)) {
        if (!task.equals(tasksSent.get(task.taskName()))) {
          tasksSent.put(task.taskName(), task);
          send("task", task);
        }
      }
      List<LogRecord> lines = gantry.logs(runId, position.logId(), LOG_BATCH);
      for (LogRecord line : lines) {
        position = new Position(position.states(), line.id());
        send("log", line);
      }
      boolean done =
          run.state().isTerminal()
              && lines.size() < LOG_BATCH
              && position.states() >= history.size();
      if (done) {
        send("end", Map.of("id", runId, "state", run.state().name()));
      } else if (System.nanoTime() - lastSentNanos >= KEEP_ALIVE.toNanos()) {
        ClientGone.check(client);
        client.sendComment("keep-alive");
        lastSentNanos = System.nanoTime();
      }
      return done;
    }

    private void send(String event, Object data) {
      try {
        ClientGone.check(client);
        client.sendEvent(event, Json.mapper().writeValueAsString(data), position.id());
        ClientGone.check(client); // a failed write closes the client
        lastSentNanos = System.nanoTime();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a " + event + " event as JSON", e);
      }
    }
  }
}
