package dev.gantry.flow.run;

import dev.gantry.flow.Task;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One attempt of one task, run on a pool thread. Whatever happens, it hands exactly one {@link
 * Outcome} to the completion queue when its thread is done with it, so the coordinator can count
 * busy threads by outcomes.
 */
final class Attempt implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(FlowRunner.class);

  /** What an attempt produced: a result, or the failure it threw. */
  record Outcome(Attempt attempt, Object result, Throwable failure) {}

  private final Task<?> task;
  private final int number;
  private final List<Object> inputs;
  private final Queue<Outcome> completions;

  // Guarded by this: the coordinator stops an attempt from its own thread.
  private Thread runner;
  private boolean stopped;

  Attempt(Task<?> task, int number, List<Object> inputs, Queue<Outcome> completions) {
    this.task = task;
    this.number = number;
    this.inputs = inputs;
    this.completions = completions;
  }

  String taskName() {
    return task.name();
  }

  @Override
  public void run() {
    synchronized (this) {
      if (stopped) {
        completions.add(new Outcome(this, null, new CancellationException("stopped before start")));
        return;
      }
      runner = Thread.currentThread();
    }
    Object result = null;
    Throwable failure = null;
    try (MDC.MDCCloseable taskInMdc = MDC.putCloseable(FlowRunner.MDC_TASK_KEY, task.name())) {
      log.info("task '{}' started (attempt {} of {})", task.name(), number, task.maxRetries() + 1);
      long start = System.nanoTime();
      try {
        result = task.invoke(inputs, number);
        log.info("task '{}' succeeded in {} ms", task.name(), millisSince(start));
      } catch (Throwable e) { // anything the body throws, Errors included, fails the attempt
        failure = e;
        logFailure(e, millisSince(start));
      }
    } finally {
      synchronized (this) {
        runner = null;
        // An interrupt meant for this attempt must not reach the next task on this thread.
        Thread.interrupted();
      }
      completions.add(new Outcome(this, result, failure));
    }
  }

  /** Interrupts the attempt if it is running, or keeps it from starting. */
  synchronized void stop() {
    stopped = true;
    if (runner != null) {
      runner.interrupt();
    }
  }

  private void logFailure(Throwable failure, long millis) {
    boolean wasStopped;
    synchronized (this) {
      wasStopped = stopped;
    }
    if (wasStopped) {
      log.info(
          "task '{}' attempt {} stopped after {} ms: {}",
          task.name(),
          number,
          millis,
          describe(failure));
    } else {
      log.warn(
          "task '{}' attempt {} failed after {} ms: {}",
          task.name(),
          number,
          millis,
          describe(failure),
          failure);
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** "IllegalStateException: boom" on one line, without a stack trace. */
  static String describe(Throwable failure) {
    String type = failure.getClass().getSimpleName();
    if (type.isEmpty()) { // an anonymous class
      type = failure.getClass().getName();
    }
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return type;
    }
    return type + ": " + message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
