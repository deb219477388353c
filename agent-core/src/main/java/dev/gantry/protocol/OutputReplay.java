package dev.gantry.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The one rule for a run's output read again: after an agent re-attaches to a run whose output the
 * backend holds up to {@code storedUpTo}, and after a broken log stream is opened again from the
 * last platform timestamp delivered. A line read is new, and delivered, when both hold:
 *
 * <ol>
 *   <li>no earlier stream of this reader delivered it: its platform timestamp is after the last one
 *       delivered, or equal to it and beyond the lines already delivered at that timestamp;
 *   <li>the backend did not store it before the re-attachment (see {@link #isStored}).
 * </ol>
 *
 * A line without a platform timestamp passes the first test. Thread-safe.
 */
public final class OutputReplay {
  private final Instant storedUpTo;

  // Guarded by this.
  private Instant lastAt;
  private int linesAtLast;
  private Instant skipAt;
  private int skipLeft;

  /**
   * @param storedUpTo the time of the last output record the backend holds for the run; null when
   *     nothing of this output was stored before (a run launched by this reader's agent)
   */
  public OutputReplay(Instant storedUpTo) {
    this.storedUpTo = storedUpTo;
  }

  /** What the backend held when the reader attached; null for nothing. */
  public Instant storedUpTo() {
    return storedUpTo;
  }

  /**
   * Whether the backend stored this line before the re-attachment. State events (run, task, result)
   * never count as stored: recording them again changes nothing, and the result decides the final
   * state. A log event counts as stored when its own time, at the stores' microsecond precision, is
   * at or before {@code storedUpTo}; any other line (plain output, a malformed or unknown event, a
   * log event without a valid time) when its platform timestamp is. A line with neither time is
   * new.
   *
   * @param platformAt when the platform (engine, kubelet) says the line was written; null if
   *     unknown
   * @param event the line as {@link ProtocolParser} read it
   */
  public static boolean isStored(
      Instant storedUpTo, Instant platformAt, Optional<ProtocolEvent> event) {
    if (storedUpTo == null) {
      return false;
    }
    if (event.isPresent() && !(event.get() instanceof LogEvent)) {
      return false;
    }
    Instant at = event.map(ProtocolEvent::at).orElse(null);
    if (at != null) {
      return !at.truncatedTo(ChronoUnit.MICROS).isAfter(storedUpTo);
    }
    return platformAt != null && !platformAt.isAfter(storedUpTo);
  }

  /**
   * Takes a line read, with its platform timestamp (null if unknown), and says whether it is new;
   * either way it counts as read for {@link #resume()}.
   */
  public boolean admit(Instant platformAt, String line) {
    if (platformAt != null && !firstRead(platformAt)) {
      return false;
    }
    return storedUpTo == null || !isStored(storedUpTo, platformAt, ProtocolParser.parse(line));
  }

  /**
   * A stream is opened again: returns the platform timestamp to read from (the last one delivered,
   * null when none was), and skips again, from there, the lines this reader delivered already.
   */
  public synchronized Instant resume() {
    skipAt = lastAt;
    skipLeft = lastAt == null ? 0 : linesAtLast;
    return lastAt;
  }

  private synchronized boolean firstRead(Instant at) {
    if (skipAt != null) {
      if (at.isBefore(skipAt)) {
        return false;
      }
      if (at.equals(skipAt) && skipLeft > 0) {
        skipLeft--;
        return false;
      }
      skipAt = null;
    }
    if (at.equals(lastAt)) {
      linesAtLast++;
    } else {
      lastAt = at;
      linesAtLast = 1;
    }
    return true;
  }
}
