package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.gantry.retry.Backoff;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one event stream: the engine's container events (die, oom, destroy) of containers
 * labelled {@value ContainerLabels#MANAGED}. When the stream breaks it reconnects with backoff,
 * asking for the events it missed since the last one it saw.
 */
final class ContainerEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(15);

  /** What the launcher does with events. */
  interface Handler {
    void event(Event event);

    /** The stream was re-established after a break: events may have been missed. */
    void reconnected();
  }

  private final DockerClient docker;
  private final ScheduledExecutorService scheduler;
  private final Handler handler;
  private volatile boolean open = true;
  private volatile Closeable current;
  private volatile long lastEventSeconds;
  // Guarded by this: reset on the stream's thread, advanced on the timer's.
  private final Backoff retry = Backoff.exponential(FIRST_RETRY, MAX_RETRY);

  ContainerEvents(DockerClient docker, ScheduledExecutorService scheduler, Handler handler) {
    this.docker = docker;
    this.scheduler = scheduler;
    this.handler = handler;
  }

  /** Subscribes, and waits (a few seconds at most) until the engine has accepted it. */
  void start() {
    subscribe(false);
  }

  private void subscribe(boolean reconnecting) {
    if (!open) {
      return;
    }
    var command =
        docker
            .eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withLabelFilter(ContainerLabels.MANAGED + "=true")
            .withEventFilter("die", "oom", "destroy");
    if (reconnecting && lastEventSeconds > 0) {
      command.withSince(Long.toString(lastEventSeconds));
    }
    ResultCallback.Adapter<Event> callback =
        new ResultCallback.Adapter<>() {
          @Override
          public void onStart(Closeable stream) {
            super.onStart(stream);
            current = stream;
            if (reconnecting) {
              log.info("container event stream re-established");
              handler.reconnected();
            }
            synchronized (ContainerEvents.this) {
              retry.reset();
            }
          }

          @Override
          public void onNext(Event event) {
            if (event.getTime() != null) {
              lastEventSeconds = Math.max(lastEventSeconds, event.getTime());
            }
            try {
              handler.event(event);
            } catch (RuntimeException e) {
              log.warn("handling container event {} failed: {}", event.getAction(), e.toString());
            }
          }

          @Override
          public void onError(Throwable error) {
            if (open) {
              log.warn("container event stream broke ({}); reconnecting", error.toString());
              reconnectLater();
            }
          }

          @Override
          public void onComplete() {
            if (open) {
              log.info("container event stream ended; reconnecting");
              reconnectLater();
            }
          }
        };
    command.exec(callback);
    if (!reconnecting) {
      try {
        if (!callback.awaitStarted(10, TimeUnit.SECONDS)) {
          log.warn("the Docker engine has not answered the event subscription within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized void reconnectLater() {
    Duration wait = retry.nextDelay();
    try {
      scheduler.schedule(
          () -> {
            try {
              subscribe(true);
            } catch (RuntimeException e) {
              log.warn("container event stream: reconnecting failed ({})", e.toString());
              reconnectLater();
            }
          },
          wait.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  @Override
  public void close() {
    open = false;
    Closeable stream = current;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        log.debug("closing the container event stream: {}", e.toString());
      }
    }
  }
}
