package dev.gantry.docker;

import dev.gantry.launch.ExitReport;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.protocol.OutputReplay;
import java.time.Instant;
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

  final String runId;
  final int attempt;
  final String containerId;
  final String image;
  private final OutputSink sink;
  private final OutputReplay replay;
  private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

  // What is known about the end; guarded by this.
  private Integer exitCode;
  private long diedAtNanos;
  private boolean oomKilled;
  private boolean removedFromOutside;
  private boolean outputEnded;
  private boolean finishing;
  private volatile boolean cancelRequested;

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
    this.replay = new OutputReplay(outputSince);
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

  /**
   * Delivers an output line to the run's sink, unless it was delivered already or, for an adopted
   * container, the backend holds it already ({@link OutputReplay}).
   */
  void deliver(Instant at, String line) {
    if (!replay.admit(at, line)) {
      return;
    }
    try {
      sink.line(line);
    } catch (RuntimeException e) {
      log.warn("run {}: could not record an output line: {}", runId, e.toString());
    }
  }

  /** Where to resume after a broken stream; lines already delivered are skipped again. */
  Instant resumePoint() {
    return replay.resume();
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
