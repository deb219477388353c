package dev.gantry.flow.run;

import dev.gantry.flow.Flow;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a flow in this process: independent tasks run in parallel on a bounded pool; retries, delays
 * and timeouts per task; every task state change goes to the listener.
 *
 * <p>Each task's start and end are logged through SLF4J (this class's logger) with the task's name
 * in the MDC under {@value #MDC_TASK_KEY}, which stays there while the task body runs, so the
 * body's own log lines can be attributed to it. Task threads are daemon threads named {@code
 * gantry-task-N}; they inherit the calling thread's context class loader.
 */
public final class FlowRunner {
  /** The MDC key holding the name of the task whose body is running. */
  public static final String MDC_TASK_KEY = "task";

  private static final Logger log = LoggerFactory.getLogger(FlowRunner.class);

  /** How long a finished or cancelled run waits for interrupted task threads to end. */
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final int parallelism;
  private final TaskStateListener listener;

  /**
   * @param parallelism the most tasks running at once (>= 1)
   * @param listener receives every task state change, from the thread that calls {@link #run}; an
   *     exception it throws ends the run (running tasks are interrupted)
   */
  public FlowRunner(int parallelism, TaskStateListener listener) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1");
    }
    this.parallelism = parallelism;
    this.listener = Objects.requireNonNull(listener, "listener (use TaskStateListener.NONE)");
  }

  /**
   * Runs the flow to its end with the given parameter values (text, parsed per parameter type;
   * missing ones take their defaults).
   *
   * @throws dev.gantry.flow.ParameterException before any task starts, naming a parameter that is
   *     unknown, required and missing, or malformed
   * @throws InterruptedException when the calling thread is interrupted (the run is cancelled):
   *     running tasks are interrupted and unfinished ones reported CANCELLED first
   */
  public FlowRunResult run(Flow flow, Map<String, String> parameters) throws InterruptedException {
    Objects.requireNonNull(flow, "flow");
    Map<String, Object> parameterValues = ParameterValues.bind(flow, parameters);
    int tasks = flow.tasks().size();
    log.info(
        "flow '{}' started: {} {}, parallelism {}",
        flow.name(),
        tasks,
        tasks == 1 ? "task" : "tasks",
        parallelism);
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, taskThreads());
    try {
      FlowRunResult result =
          new RunningFlow(flow, parameterValues, pool, parallelism, listener).run();
      if (result.success()) {
        log.info("flow '{}' succeeded", flow.name());
      } else {
        log.warn("flow '{}' failed: {}", flow.name(), result.message());
      }
      return result;
    } finally {
      shutDown(pool);
    }
  }

  private static ThreadFactory taskThreads() {
    AtomicInteger count = new AtomicInteger();
    return body -> {
      Thread thread = new Thread(body, "gantry-task-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Interrupts what still runs (attempts that timed out or were cancelled) and lets it end. */
  private static void shutDown(ExecutorService pool) {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        log.warn(
            "task threads still run {} s after the run ended: a task ignores interruption;"
                + " its daemon thread is left to finish on its own",
            SHUTDOWN_GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      // Do not wait any longer, and do not hide the run's outcome: keep the interrupt for the
      // caller.
      Thread.currentThread().interrupt();
    }
  }
}
