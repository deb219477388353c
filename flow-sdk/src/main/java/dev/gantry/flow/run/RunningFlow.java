package dev.gantry.flow.run;

import static dev.gantry.flow.TaskState.CANCELLED;
import static dev.gantry.flow.TaskState.FAILED;
import static dev.gantry.flow.TaskState.PENDING;
import static dev.gantry.flow.TaskState.RETRYING;
import static dev.gantry.flow.TaskState.RUNNING;
import static dev.gantry.flow.TaskState.SUCCESS;
import static dev.gantry.flow.TaskState.TIMED_OUT;
import static dev.gantry.flow.TaskState.UPSTREAM_FAILED;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Ref;
import dev.gantry.flow.Task;
import dev.gantry.flow.TaskState;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The scheduling state of one flow run. Only the thread that calls {@link #run()} reads or changes
 * it, and only that thread reports state changes; pool threads run {@link Attempt}s and hand their
 * outcomes back through a completion queue. The coordinator blocks on that queue until the next
 * outcome or the next deadline (a timeout or the end of a retry delay), whichever comes first.
 */
final class RunningFlow {
  private static final Logger log = LoggerFactory.getLogger(FlowRunner.class);

  /** Longer timeouts and delays are cut to this, so deadlines on System.nanoTime() cannot wrap. */
  private static final Duration LONGEST_WAIT = Duration.ofDays(365L * 100);

  private final Flow flow;
  private final Map<String, Object> parameterValues;
  private final Executor pool;
  private final int parallelism;
  private final TaskStateListener listener;
  private final Map<String, TaskRun> runs = new LinkedHashMap<>();
  private final BlockingQueue<Attempt.Outcome> completions = new LinkedBlockingQueue<>();

  /** Pool threads busy with an attempt, counting stopped attempts that have not ended yet. */
  private int busyThreads;

  private String firstFailure;

  RunningFlow(
      Flow flow,
      Map<String, Object> parameterValues,
      Executor pool,
      int parallelism,
      TaskStateListener listener) {
    this.flow = flow;
    this.parameterValues = parameterValues;
    this.pool = pool;
    this.parallelism = parallelism;
    this.listener = listener;
    for (Task<?> task : flow.tasks()) {
      runs.put(task.name(), new TaskRun(task));
    }
  }

  /**
   * Runs every task to a final state.
   *
   * @throws InterruptedException when this thread is interrupted; running attempts are stopped and
   *     every unfinished task is CANCELLED first
   */
  FlowRunResult run() throws InterruptedException {
    for (TaskRun run : runs.values()) {
      moveTo(run, PENDING, null);
    }
    try {
      while (!finished()) {
        if (Thread.interrupted()) {
          throw new InterruptedException("flow '" + flow.name() + "' cancelled");
        }
        startDueAttempts(System.nanoTime());
        Attempt.Outcome outcome =
            completions.poll(nanosUntilNextDeadline(System.nanoTime()), TimeUnit.NANOSECONDS);
        if (outcome != null) {
          record(outcome);
        }
        timeOutOverdueAttempts(System.nanoTime());
      }
    } catch (InterruptedException e) {
      cancel();
      throw e;
    }
    return result();
  }

  private boolean finished() {
    return runs.values().stream().allMatch(run -> run.state.isFinal());
  }

  /** Starts, in flow order, tasks whose inputs succeeded and retries whose delay is over. */
  private void startDueAttempts(long now) {
    for (TaskRun run : runs.values()) {
      if (busyThreads >= parallelism) {
        return;
      }
      boolean due =
          (run.state == PENDING && inputsSucceeded(run.task))
              || (run.state == RETRYING && now - run.retryAt >= 0);
      if (due) {
        start(run);
      }
    }
  }

  private void start(TaskRun run) {
    run.attempts++;
    run.current = new Attempt(run.task, run.attempts, inputValues(run.task), completions);
    busyThreads++;
    moveTo(run, RUNNING, null);
    if (run.task.timeout() != null) {
      run.deadline = System.nanoTime() + nanos(run.task.timeout());
    }
    pool.execute(run.current);
  }

  private boolean inputsSucceeded(Task<?> task) {
    return task.inputs().stream()
        .allMatch(input -> input instanceof Parameter || runs.get(input.name()).state == SUCCESS);
  }

  private List<Object> inputValues(Task<?> task) {
    List<Object> values = new ArrayList<>(); // results may be null, so no List.of
    for (Ref<?> input : task.inputs()) {
      values.add(
          input instanceof Parameter
              ? parameterValues.get(input.name())
              : runs.get(input.name()).result);
    }
    return Collections.unmodifiableList(values);
  }

  private long nanosUntilNextDeadline(long now) {
    long wait = Long.MAX_VALUE;
    for (TaskRun run : runs.values()) {
      if (run.state == RUNNING && run.task.timeout() != null) {
        wait = Math.min(wait, run.deadline - now);
      } else if (run.state == RETRYING && busyThreads < parallelism) {
        // A retry that is due but has no free thread waits for an outcome, not for the clock.
        wait = Math.min(wait, run.retryAt - now);
      }
    }
    return Math.max(0, wait);
  }

  private void record(Attempt.Outcome outcome) {
    busyThreads--;
    TaskRun run = runs.get(outcome.attempt().taskName());
    if (run.current != outcome.attempt()) {
      return; // a stopped (timed-out or cancelled) attempt that ended late: already accounted for
    }
    run.current = null;
    if (outcome.failure() == null) {
      run.result = outcome.result();
      moveTo(run, SUCCESS, null);
    } else {
      attemptFailed(run, FAILED, Attempt.describe(outcome.failure()));
    }
  }

  private void timeOutOverdueAttempts(long now) {
    for (TaskRun run : runs.values()) {
      if (run.state == RUNNING && run.task.timeout() != null && now - run.deadline >= 0) {
        String reason = "timed out after " + readable(run.task.timeout());
        logFor(run, () -> log.warn("task '{}' attempt {} {}", run.name(), run.attempts, reason));
        run.current.stop();
        run.current = null;
        attemptFailed(run, TIMED_OUT, reason);
      }
    }
  }

  /** Retries the task if it has attempts left, else ends it in {@code finalState}. */
  private void attemptFailed(TaskRun run, TaskState finalState, String reason) {
    if (run.attempts <= run.task.maxRetries()) {
      run.retryAt = System.nanoTime() + nanos(run.task.retryDelay());
      logFor(
          run,
          () ->
              log.info(
                  "task '{}' will retry in {} (attempt {} of {})",
                  run.name(),
                  readable(run.task.retryDelay()),
                  run.attempts + 1,
                  run.task.maxRetries() + 1));
      moveTo(run, RETRYING, reason);
      return;
    }
    String failure =
        "task '" + run.name() + "' " + (finalState == TIMED_OUT ? reason : "failed: " + reason);
    logFor(run, () -> log.error("{} (attempt {})", failure, run.attempts));
    if (firstFailure == null) {
      firstFailure = failure;
    }
    run.failedTask = run.name();
    moveTo(run, finalState, reason);
    skipTasksBehindFailures();
  }

  /**
   * Marks UPSTREAM_FAILED every pending task with an input that failed, timed out or was skipped.
   */
  private void skipTasksBehindFailures() {
    // Flow order is a topological order, so one pass also reaches tasks further downstream.
    for (TaskRun run : runs.values()) {
      if (run.state != PENDING) {
        continue;
      }
      for (Ref<?> input : run.task.inputs()) {
        TaskRun upstream = input instanceof Task ? runs.get(input.name()) : null;
        if (upstream != null && upstream.failedTask != null) {
          run.failedTask = upstream.failedTask;
          TaskState cause = runs.get(run.failedTask).state;
          String reason =
              "upstream task '"
                  + run.failedTask
                  + "' "
                  + (cause == TIMED_OUT ? "timed out" : "failed");
          logFor(run, () -> log.info("task '{}' not run: {}", run.name(), reason));
          moveTo(run, UPSTREAM_FAILED, reason);
          break;
        }
      }
    }
  }

  private void cancel() {
    log.info("flow '{}' cancelled: stopping its running tasks", flow.name());
    for (TaskRun run : runs.values()) {
      if (run.state.isFinal()) {
        continue;
      }
      if (run.current != null) {
        run.current.stop();
        run.current = null;
      }
      moveTo(run, CANCELLED, null);
    }
  }

  private FlowRunResult result() {
    Map<String, TaskState> states = new LinkedHashMap<>();
    Map<String, Object> results = new LinkedHashMap<>();
    for (TaskRun run : runs.values()) {
      states.put(run.name(), run.state);
      if (run.state == SUCCESS) {
        results.put(run.name(), run.result);
      }
    }
    boolean success = states.values().stream().allMatch(state -> state == SUCCESS);
    return new FlowRunResult(
        success,
        Collections.unmodifiableMap(states),
        Collections.unmodifiableMap(results),
        success ? null : firstFailure);
  }

  private void moveTo(TaskRun run, TaskState state, String message) {
    run.state = state;
    listener.onChange(new TaskStateChange(run.name(), state, run.attempts, Instant.now(), message));
  }

  /** Logs with the task in the MDC, as the task's own log lines are. */
  private static void logFor(TaskRun run, Runnable logging) {
    try (MDC.MDCCloseable taskInMdc = MDC.putCloseable(FlowRunner.MDC_TASK_KEY, run.name())) {
      logging.run();
    }
  }

  private static long nanos(Duration duration) {
    return (duration.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : duration).toNanos();
  }

  /** "250 ms", "1 s", "1.5 s". */
  static String readable(Duration duration) {
    long millis = nanos(duration) / 1_000_000;
    return millis < 1000
        ? millis + " ms"
        : BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }

  /** One task's progress through the run. */
  private static final class TaskRun {
    final Task<?> task;
    TaskState state = PENDING;

    /** Attempts started so far. */
    int attempts;

    /** The running attempt, while RUNNING. */
    Attempt current;

    /** System.nanoTime() at which the running attempt times out, when the task has a timeout. */
    long deadline;

    /** System.nanoTime() at which the next attempt may start, while RETRYING. */
    long retryAt;

    Object result;

    /** The task whose failure ended this one: itself when FAILED or TIMED_OUT, else upstream. */
    String failedTask;

    TaskRun(Task<?> task) {
      this.task = task;
    }

    String name() {
      return task.name();
    }
  }
}
