package dev.gantry.kubernetes;

import java.time.Duration;
import java.util.concurrent.Executor;
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
 * The Kubernetes launcher's threads: one timer (the runs' tick, log follower retries) and two
 * workers for API calls that must not run on the watch threads.
 */
final class LauncherThreads {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);

  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor workers;

  LauncherThreads() {
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("gantry-k8s-timer", null));
    this.workers =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("gantry-k8s-worker-", new AtomicInteger()));
    workers.allowCoreThreadTimeOut(true);
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  /** The workers, for calls whose answer the caller waits for with a timeout. */
  Executor workers() {
    return workers;
  }

  /** Runs {@code task} with a fixed delay of {@code period} on the timer. */
  void every(Duration period, Runnable task) {
    timer.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on a worker; a failure is logged, a closing launcher drops it. */
  void work(Runnable task) {
    try {
      workers.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Kubernetes launcher task failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  /** Stops the timer at once and lets the workers finish what they do (up to five seconds). */
  void close() {
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
