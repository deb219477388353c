package dev.gantry.supervision;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.LogRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Whether a batch of log lines whose write got no answer (the connection broke during the commit)
 * was stored after all: then the stored log ends with exactly these lines, since the attempt's
 * agent is the only writer of its run's log. Checked only after such a failure, so a retried batch
 * is stored once.
 */
final class StoredLogCheck {
  private static final int PAGE = 1_000;

  /** Column length of run_logs.message: a longer line is stored cut to it. */
  private static final int STORED_MESSAGE_LENGTH = 32_000;

  private final RunStore runs;
  private final String runId;

  /** The newest log id read so far: earlier lines need not be read again. */
  private long readUpTo;

  StoredLogCheck(RunStore runs, String runId) {
    this.runs = runs;
    this.runId = runId;
  }

  /** True when the run's stored log ends with {@code lines}. */
  boolean alreadyStored(List<LogRecord> lines) {
    if (lines.isEmpty()) {
      return true;
    }
    Instant latest = runs.latestLogAt(runId).orElse(null);
    Instant first = lines.get(0).at();
    if (latest == null
        || (first != null && latest.isBefore(first.truncatedTo(ChronoUnit.MILLIS)))) {
      return false; // nothing stored as late as the batch's first line
    }
    Deque<LogRecord> tail = new ArrayDeque<>(lines.size());
    long after = readUpTo;
    while (true) {
      List<LogRecord> page = runs.logs(runId, after, PAGE);
      for (LogRecord stored : page) {
        if (tail.size() == lines.size()) {
          tail.removeFirst();
        }
        tail.addLast(stored);
        after = stored.id();
      }
      if (page.size() < PAGE) {
        break;
      }
    }
    if (!tail.isEmpty()) {
      // Lines before the tail are older than any batch still to be written.
      readUpTo = Math.max(readUpTo, tail.peekFirst().id() - 1);
    }
    if (tail.size() < lines.size()) {
      return false;
    }
    int i = 0;
    for (LogRecord stored : tail) {
      if (!sameLine(stored, lines.get(i++))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameLine(LogRecord stored, LogRecord line) {
    String message = Objects.requireNonNullElse(line.message(), "");
    if (message.length() > STORED_MESSAGE_LENGTH) {
      message = message.substring(0, STORED_MESSAGE_LENGTH);
    }
    return Objects.equals(stored.level(), line.level())
        && Objects.equals(stored.taskName(), line.taskName())
        && message.replace('\0', '\uFFFD').startsWith(stored.message());
  }
}
