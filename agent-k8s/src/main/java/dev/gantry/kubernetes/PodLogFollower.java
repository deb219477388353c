package dev.gantry.kubernetes;

import dev.gantry.launch.OutputSink;
import dev.gantry.protocol.OutputReplay;
import dev.gantry.protocol.ProtocolEvent;
import dev.gantry.protocol.ProtocolParser;
import dev.gantry.protocol.ResultEvent;
import dev.gantry.retry.Backoff;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the output of a run container and delivers each line once, in order. Lines are read with
 * the kubelet's timestamps; a stream that ends while the container still runs (a dropped
 * connection, a restarted kubelet, an API server that serves only what exists so far) is opened
 * again from the last timestamp delivered, and lines already delivered, or stored by the backend
 * before an agent re-attached, are skipped ({@link OutputReplay}). Output counts as complete once a
 * stream opened after the container ended has been read to its end.
 *
 * <p>No thread of its own: the HTTP client delivers the bytes, reconnects are scheduled on the
 * launcher's timer.
 */
final class PodLogFollower {
  private static final Logger log = LoggerFactory.getLogger(PodLogFollower.class);
  private static final Duration REOPEN_DELAY = Duration.ofMillis(500);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** Opens one log stream of the container, with timestamps, from {@code sinceTime} if not null. */
  @FunctionalInterface
  interface LogSource {
    LogWatch open(String sinceTime, OutputStream out);
  }

  private final String what;
  private final LogSource source;
  private final OutputSink sink;
  private final OutputReplay replay;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  // Guarded by this.
  private boolean containerEnded;
  private boolean stopped;
  private Stream current;
  private ScheduledFuture<?> reopen;
  private final Backoff retries = Backoff.exponential(FIRST_RETRY, MAX_BACKOFF);

  private volatile boolean sawResult;
  private volatile long delivered;

  /**
   * @param what "run RUN, pod POD" for messages
   * @param outputSince what the backend already holds of this output: lines {@link
   *     OutputReplay#isStored} says it stored are not delivered; null for all
   */
  PodLogFollower(
      String what,
      LogSource source,
      OutputSink sink,
      Instant outputSince,
      ScheduledExecutorService timer) {
    this.what = what;
    this.source = source;
    this.sink = sink;
    this.replay = new OutputReplay(outputSince);
    this.timer = timer;
  }

  /** Opens the first stream (from the launcher's timer). */
  synchronized void start() {
    scheduleOpen(Duration.ZERO);
  }

  /**
   * The container has ended: its output is complete once a stream opened from now on is read to its
   * end (a stream opened earlier may have been cut short of the last lines).
   */
  synchronized void containerEnded() {
    if (containerEnded || stopped) {
      return;
    }
    containerEnded = true;
    if (current == null) {
      if (reopen != null) {
        reopen.cancel(false);
        reopen = null;
      }
      scheduleOpen(Duration.ZERO);
    }
  }

  /** Completes when every line has been delivered, after {@link #containerEnded()}. */
  CompletableFuture<Void> drained() {
    return drained;
  }

  /** Whether a {@code result} event was among the lines delivered. */
  boolean sawResult() {
    return sawResult;
  }

  /** How many lines were delivered. */
  long delivered() {
    return delivered;
  }

  /** Stops following; nothing more is delivered. */
  void stop() {
    Stream open;
    synchronized (this) {
      stopped = true;
      if (reopen != null) {
        reopen.cancel(false);
        reopen = null;
      }
      open = current;
      current = null;
    }
    if (open != null) {
      open.disconnect();
    }
  }

  private void open() {
    Instant from = replay.resume();
    if (from == null) {
      from = replay.storedUpTo();
    }
    String since = from == null ? null : from.truncatedTo(ChronoUnit.SECONDS).toString();
    Stream stream = new Stream(containerEnded);
    current = stream;
    try {
      stream.watch = source.open(since, stream);
      stream.watch.onClose().whenComplete((error, failure) -> closed(stream, error));
    } catch (RuntimeException e) {
      closed(stream, e);
    }
  }

  private synchronized void closed(Stream stream, Throwable error) {
    if (stream != current || stopped) {
      return;
    }
    if (error == null && stream.afterEnd) {
      stream.flushPartialLine();
      current = null;
      drained.complete(null);
      return;
    }
    if (error != null && containerEnded && notFound(error)) {
      // The pod and its log are gone; what the container wrote came through the earlier streams.
      current = null;
      drained.complete(null);
      log.debug("{}: its log is gone with its pod", what);
      return;
    }
    current = null;
    Duration delay;
    if (error == null) {
      retries.reset();
      delay = containerEnded ? Duration.ZERO : REOPEN_DELAY;
    } else {
      delay = retries.nextDelay();
      int failures = retries.failures();
      if (failures == 1 || failures % 10 == 0) {
        log.warn("{}: reading its output failed ({}); retrying", what, oneLine(error));
      }
    }
    scheduleOpen(delay);
  }

  private void scheduleOpen(Duration delay) {
    try {
      reopen =
          timer.schedule(
              () -> {
                synchronized (PodLogFollower.this) {
                  reopen = null;
                  if (!stopped && current == null) {
                    open();
                  }
                }
              },
              delay.toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  private static boolean notFound(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof KubernetesClientException k && k.getCode() == ApiErrors.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  /** One line as read: with its timestamp (or null when it had none). */
  private synchronized void line(Stream stream, Instant timestamp, String text) {
    if (stream != current || stopped) {
      return;
    }
    if (!replay.admit(timestamp, text)) {
      return; // delivered by an earlier stream, or stored before this agent attached
    }
    if (ProtocolEvent.hasMarker(text)
        && ProtocolParser.parse(text).orElse(null) instanceof ResultEvent) {
      sawResult = true;
    }
    delivered++;
    try {
      sink.line(text);
    } catch (RuntimeException e) {
      log.warn("{}: could not record an output line: {}", what, oneLine(e));
    }
  }

  /** Splits a line into the kubelet's RFC 3339 timestamp and the text. */
  static Instant timestampOf(String line) {
    int space = line.indexOf(' ');
    if (space < 20) {
      return null;
    }
    try {
      return OffsetDateTime.parse(line.substring(0, space)).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ');
  }

  /** One log connection: the bytes the HTTP client writes, cut into lines. */
  private final class Stream extends OutputStream {
    final boolean afterEnd;
    volatile LogWatch watch;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Stream(boolean afterEnd) {
      this.afterEnd = afterEnd;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        emit();
      } else {
        partial.write(b);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      int start = offset;
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] == '\n') {
          partial.write(bytes, start, i - start);
          emit();
          start = i + 1;
        }
      }
      partial.write(bytes, start, offset + length - start);
    }

    /** A last line without its newline: delivered only from the final stream. */
    void flushPartialLine() {
      if (partial.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String raw = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      if (raw.endsWith("\r")) {
        raw = raw.substring(0, raw.length() - 1);
      }
      Instant timestamp = timestampOf(raw);
      String text = timestamp == null ? raw : raw.substring(raw.indexOf(' ') + 1);
      line(this, timestamp, text);
    }

    /** The HTTP client may close the stream it writes to; the connection is closed apart. */
    @Override
    public void close() {}

    void disconnect() {
      LogWatch w = watch;
      if (w != null) {
        try {
          w.close();
        } catch (RuntimeException e) {
          log.debug("{}: closing its log stream: {}", what, e.toString());
        }
      }
    }
  }
}
