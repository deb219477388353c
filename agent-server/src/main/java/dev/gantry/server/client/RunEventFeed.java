package dev.gantry.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A run's Server-Sent Events, read on a thread of its own into a queue the caller drains at its own
 * pace. When the stream breaks before the run's {@code end} event (the server restarted, a proxy
 * cut the connection) it reconnects with {@code Last-Event-ID}, so nothing is lost or repeated,
 * backing off from {@link #FIRST_RETRY} to {@link #LAST_RETRY}; it gives up when the server has
 * been unreachable for {@link #GIVE_UP_AFTER}, or at once when the server refuses the request (a
 * 4xx: the run, the token or its role).
 */
public final class RunEventFeed implements AutoCloseable {
  static final Duration FIRST_RETRY = Duration.ofMillis(250);
  static final Duration LAST_RETRY = Duration.ofSeconds(5);
  static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

  private final ApiConnection connection;
  private final String path;
  private final ObjectMapper mapper = ApiConnection.mapper();
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile InputStream open;
  private volatile boolean closed;
  private volatile String lastEventId;
  private volatile int connections;

  private static final Object STOPPED = new Object();

  RunEventFeed(ApiConnection connection, String runId) {
    this.connection = connection;
    this.path = ApiConnection.path("runs", runId, "events");
    this.reader = new Thread(this::read, "gantry-run-events-" + runId);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The events that arrived, waiting up to {@code wait} for the first; empty when none came.
   *
   * @throws GantryApiException or the request's own error when the stream failed for good
   */
  public List<RunEvent> poll(Duration wait) throws InterruptedException {
    List<Object> taken = new ArrayList<>();
    Object first = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (first == null) {
      return List.of();
    }
    taken.add(first);
    queue.drainTo(taken);
    List<RunEvent> events = new ArrayList<>();
    for (Object item : taken) {
      if (item instanceof RunEvent event) {
        events.add(event);
      } else if (item instanceof RuntimeException failure) {
        queue.add(item); // every later poll fails the same way
        throw failure;
      }
    }
    return events;
  }

  /** How many times the stream has been opened (1 until it broke and was resumed). */
  public int connections() {
    return connections;
  }

  /** The id of the last event received: where a reconnect resumes. */
  public String lastEventId() {
    return lastEventId;
  }

  private void read() {
    Duration retry = FIRST_RETRY;
    long unreachableSince = 0;
    while (!closed) {
      try {
        HttpResponse<InputStream> response = connection.events(path, lastEventId);
        connections++;
        open = response.body();
        unreachableSince = 0;
        retry = FIRST_RETRY;
        if (stream(response.body())) {
          return;
        }
      } catch (GantryApiException e) {
        if (e.status() != 0 || closed) {
          fail(e); // the server answered and refused: retrying changes nothing
          return;
        }
        long now = System.nanoTime();
        unreachableSince = unreachableSince == 0 ? now : unreachableSince;
        if (now - unreachableSince >= GIVE_UP_AFTER.toNanos()) {
          fail(e);
          return;
        }
      } catch (ApiProblem e) {
        fail(new IllegalArgumentException(e.detail()));
        return;
      } catch (JsonProcessingException e) {
        fail(
            new GantryApiException(
                "the server at "
                    + connection.url()
                    + " sent a run event this client does not read; are the client and server"
                    + " the same Gantry version?",
                e));
        return;
      } catch (IOException e) {
        // the stream broke mid-way: resume below from the last event id
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      if (closed || !pause(retry)) {
        return;
      }
      retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
    }
  }

  /** Reads one connection's events; true once the run's end has been queued. */
  private boolean stream(InputStream body) throws IOException {
    try (ServerSentEvents events = new ServerSentEvents(body, lastEventId)) {
      ServerSentEvents.Event event;
      while ((event = events.next()) != null) {
        RunEvent parsed = parse(event);
        if (parsed != null) {
          queue.add(parsed);
        }
        lastEventId = event.lastId();
        if (parsed instanceof RunEvent.End) {
          queue.add(STOPPED);
          return true;
        }
      }
      return false;
    }
  }

  private RunEvent parse(ServerSentEvents.Event event) throws JsonProcessingException {
    return switch (event.type()) {
      case "state" -> new RunEvent.State(mapper.readValue(event.data(), StateChange.class));
      case "task" -> new RunEvent.Task(mapper.readValue(event.data(), TaskRun.class));
      case "log" -> new RunEvent.Log(mapper.readValue(event.data(), LogRecord.class));
      case "end" -> {
        JsonNode end = mapper.readTree(event.data());
        yield new RunEvent.End(RunState.valueOf(end.path("state").asText()));
      }
      default -> null; // an event a newer server added
    };
  }

  private boolean pause(Duration retry) {
    try {
      Thread.sleep(retry.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void fail(RuntimeException e) {
    if (!closed) {
      queue.add(e);
    }
  }

  /** Stops reading and closes the connection. */
  @Override
  public void close() {
    closed = true;
    reader.interrupt();
    InputStream body = open;
    if (body != null) {
      try {
        body.close();
      } catch (IOException e) {
        // closing a stream that is going away anyway
      }
    }
  }
}
