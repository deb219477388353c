package dev.gantry.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container of one run attempt as the launcher watches it: its output goes to the run's sink,
 * and its exit completes {@link #exit()} once the engine reported it (event stream or inspection)
 * and its output has been read to the end. Thread-safe: events, output and timers arrive on
 * different threads.
 */
final class ContainerRun implements RunExecution {
  private static final Logger log = LoggerFactory.getLogger(ContainerRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  final String runId;
  final int attempt;
  final String containerId;
  final String image;
  private final OutputSink sink;
  private final Instant outputSince;
  private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

  // What is known about the end; guarded by this.
  private Integer exitCode;
  private long diedAtNanos;
  private boolean oomKilled;
  private boolean removedFromOutside;
  private boolean outputEnded;
  private boolean finishing;
  private volatile boolean cancelRequested;

  // Where the output stands, to resume a broken stream without delivering a line twice.
  private Instant lastLineAt;
  private int linesAtLastInstant;
  private boolean replaying;
  private int replaySkip;
  private volatile LogStreams.Stream stream;

  ContainerRun(
      String runId,
      int attempt,
      String containerId,
      String image,
      OutputSink sink,
      Instant outputSince) {
    this.runId = runId;
    this.attempt = attempt;
    this.containerId = containerId;
    this.image = image;
    this.sink = sink;
    this.outputSince = outputSince;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public CompletableFuture<ExitReport> exit() {
    return exit;
  }

  /** The first 12 characters of the container id, as {@code docker ps} shows it. */
  String shortId() {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }

  void following(LogStreams.Stream value) {
    stream = value;
  }

  void stopFollowing() {
    LogStreams.Stream current = stream;
    if (current != null) {
      current.close();
    }
  }

  // ---- output -------------------------------------------------------------------------------

  /** Delivers an output line to the run's sink, unless it was delivered already. */
  void deliver(Instant at, String line) {
    synchronized (this) {
      if (replaying) {
        if (at.isBefore(lastLineAt)) {
          return;
        }
        if (at.equals(lastLineAt) && replaySkip > 0) {
          replaySkip--;
          return;
        }
        replaying = false;
      }
      if (at.equals(lastLineAt)) {
        linesAtLastInstant++;
      } else {
        lastLineAt = at;
        linesAtLastInstant = 1;
      }
    }
    if (outputSince != null && !isAfterOutputSince(at, line)) {
      return;
    }
    try {
      sink.line(line);
    } catch (RuntimeException e) {
      log.warn("run {}: could not record an output line: {}", runId, e.toString());
    }
  }

  /**
   * Whether an adopted container's line is new to the backend. State events (run, task, result) are
   * always delivered: recording them again changes nothing, and the result decides the final state.
   * Log lines count as new when their own timestamp (the bootstrap's, else the engine's) is after
   * {@code outputSince}.
   */
  private boolean isAfterOutputSince(Instant engineAt, String line) {
    if (!line.startsWith(ProtocolOutput.MARKER)) {
      return engineAt.isAfter(outputSince);
    }
    try {
      JsonNode event = JSON.readTree(line.substring(ProtocolOutput.MARKER.length()));
      String kind = event.path("event").asText();
      if (!kind.equals("log")) {
        return true;
      }
      // Stores keep microseconds: compare at that precision.
      return Instant.parse(event.path("at").asText())
          .truncatedTo(ChronoUnit.MICROS)
          .isAfter(outputSince);
    } catch (DateTimeParseException | java.io.IOException e) {
      return engineAt.isAfter(outputSince);
    }
  }

  /** Where to resume after a broken stream; lines already delivered are skipped again. */
  synchronized Instant resumePoint() {
    if (lastLineAt != null) {
      replaying = true;
      replaySkip = linesAtLastInstant;
    }
    return lastLineAt;
  }

  // ---- the end ------------------------------------------------------------------------------

  /** The engine said the container died. Returns true the first time. */
  synchronized boolean died(Integer code) {
    if (exitCode == null && code != null) {
      exitCode = code;
    }
    if (diedAtNanos != 0) {
      return false;
    }
    diedAtNanos = System.nanoTime();
    return true;
  }

  synchronized boolean hasDied() {
    return diedAtNanos != 0;
  }

  synchronized void oomKilled() {
    oomKilled = true;
  }

  synchronized void removedFromOutside() {
    removedFromOutside = true;
    if (diedAtNanos == 0) {
      diedAtNanos = System.nanoTime();
    }
  }

  synchronized boolean isRemovedFromOutside() {
    return removedFromOutside;
  }

  synchronized boolean outputEnded() {
    return outputEnded;
  }

  synchronized void markOutputEnded() {
    outputEnded = true;
  }

  void requestCancel() {
    cancelRequested = true;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  /**
   * Whether the run may be finished now: its output was read to the end and the engine reported its
   * death (and {@code settleNanos} passed since, for a destroy or OOM event to follow), or it was
   * removed. Marks it finishing, so only one caller finishes it.
   */
  synchronized boolean claimFinish(long settleNanos, long outputWaitNanos) {
    if (finishing || diedAtNanos == 0) {
      return false;
    }
    long sinceDeath = System.nanoTime() - diedAtNanos;
    boolean settled = removedFromOutside || sinceDeath >= settleNanos;
    boolean outputDone = outputEnded || sinceDeath >= outputWaitNanos;
    if (settled && outputDone) {
      finishing = true;
      return true;
    }
    return false;
  }

  synchronized Integer exitCodeFromEvents() {
    return exitCode;
  }

  synchronized boolean oomFromEvents() {
    return oomKilled;
  }

  void complete(ExitReport report) {
    exit.complete(report);
  }

  @Override
  public String toString() {
    return "container " + shortId() + " of run " + runId + " (attempt " + attempt + ")";
  }
}
