package dev.gantry.launch;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The run timeouts of one agent's runs: when a run is still going at its deadline, it is stopped
 * and remembered as timed out, so its exit says so.
 */
final class RunDeadlines implements AutoCloseable {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gantry-run-deadlines");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> timedOut = ConcurrentHashMap.newKeySet();

  /** Calls {@code stop} after {@code timeout} unless the returned handle is cancelled first. */
  ScheduledFuture<?> arm(String runId, Duration timeout, Runnable stop) {
    return timer.schedule(
        () -> {
          timedOut.add(runId);
          stop.run();
        },
        timeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Whether the run was stopped at its deadline (once: the mark is cleared). */
  boolean takeTimedOut(String runId) {
    return timedOut.remove(runId);
  }

  /** {@code 90s}, {@code 30m}, {@code 1h 30m}. */
  static String describe(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
