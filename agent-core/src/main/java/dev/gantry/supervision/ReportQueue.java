package dev.gantry.supervision;

import dev.gantry.domain.LogRecord;
import dev.gantry.domain.TaskStateUpdate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * What one run attempt reported and the database has not acknowledged yet, in the order it was
 * reported. State reports (the run started, a task changed state) are always kept; log lines are
 * kept up to a limit, past which the oldest line not being written is dropped and counted. Items
 * leave the queue only when their write was acknowledged ({@link #ack}), so a write that failed is
 * written again, from the same item on.
 */
final class ReportQueue {

  /** One report, in the order of the run's output. */
  sealed interface Report permits Log, Task, Started {}

  record Log(LogRecord record) implements Report {}

  record Task(TaskStateUpdate update) implements Report {}

  /** The bootstrap said the run is running, at {@code at}. */
  record Started(Instant at) implements Report {}

  private final int maxLogLines;
  private final Deque<Report> reports = new ArrayDeque<>();
  private int logLines;

  /** Items at the head handed out by {@link #next} and not acknowledged yet. */
  private int inFlight;

  /** Log lines dropped past the limit and not yet reported as dropped. */
  private long dropped;

  ReportQueue(int maxLogLines) {
    if (maxLogLines < 1) {
      throw new IllegalArgumentException("maxLogLines must be at least 1, got " + maxLogLines);
    }
    this.maxLogLines = maxLogLines;
  }

  synchronized void add(Report report) {
    if (report instanceof Log) {
      if (logLines >= maxLogLines && dropOldestLine()) {
        dropped++;
      }
      logLines++;
    }
    reports.addLast(report);
  }

  /** Removes the oldest log line not being written; false when every line is being written. */
  private boolean dropOldestLine() {
    Iterator<Report> it = reports.iterator();
    for (int i = 0; it.hasNext(); i++) {
      Report r = it.next();
      if (i >= inFlight && r instanceof Log) {
        it.remove();
        logLines--;
        return true;
      }
    }
    return false;
  }

  /**
   * The next reports to write, from the head: up to {@code maxBatch} consecutive log lines, or one
   * state report; empty when there is nothing. They stay queued until {@link #ack} or {@link
   * #retry}.
   */
  synchronized List<Report> next(int maxBatch) {
    List<Report> batch = new ArrayList<>();
    for (Report r : reports) {
      if (!(r instanceof Log)) {
        if (batch.isEmpty()) {
          batch.add(r);
        }
        break;
      }
      batch.add(r);
      if (batch.size() >= maxBatch) {
        break;
      }
    }
    inFlight = batch.size();
    return batch;
  }

  /** The reports last handed out were written: they leave the queue. */
  synchronized void ack(int count) {
    for (int i = 0; i < count; i++) {
      if (reports.pollFirst() instanceof Log) {
        logLines--;
      }
    }
    inFlight = 0;
  }

  /** The reports last handed out were not written (or without an answer): they stay. */
  synchronized void retry() {
    inFlight = 0;
  }

  /** Log lines dropped past the limit since the last {@link #droppedReported}. */
  synchronized long dropped() {
    return dropped;
  }

  /** {@code count} dropped lines were reported (by a stored warning line). */
  synchronized void droppedReported(long count) {
    dropped -= count;
  }

  /** Drops everything: the attempt is not this agent's any more, nothing of it can be stored. */
  synchronized int clear() {
    int size = reports.size();
    reports.clear();
    logLines = 0;
    inFlight = 0;
    dropped = 0;
    return size;
  }

  synchronized int size() {
    return reports.size();
  }

  int maxLogLines() {
    return maxLogLines;
  }
}
