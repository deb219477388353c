package dev.gantry.docker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker launcher's few threads: one timer and a pool of four workers that inspect, remove and
 * signal containers. Watching costs no thread per run. Tasks handed in after {@link #close} are
 * dropped.
 */
final class LauncherThreads implements Timers, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LauncherThreads.class);

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("gantry-docker-timer", null));
  private final ThreadPoolExecutor workers =
      new ThreadPoolExecutor(
          4,
          4,
          30,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          daemon("gantry-docker-worker-", new AtomicInteger()));

  LauncherThreads() {
    workers.allowCoreThreadTimeOut(true);
  }

  /** The timer, for the event stream's reconnects. */
  ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public void now(Runnable task) {
    try {
      workers.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Docker launcher task failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  @Override
  public void after(Duration delay, Runnable task) {
    try {
      timer.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Docker launcher timer failed: {}", e.toString());
            }
          },
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  /** Stops the timer now and lets running engine calls finish (5 s at most). */
  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name, AtomicInteger counter) {
    return r -> {
      Thread t = new Thread(r, counter == null ? name : name + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
