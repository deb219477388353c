package dev.gantry.supervision;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.RunExecution;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.retry.Backoff;
import dev.gantry.tracing.RunLogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how supervised runs end: decides the final state once a run's infrastructure has ended
 * and writes it, again after a backoff while the database does not take it. An infrastructure
 * failure schedules the run again instead while its retry budget lasts.
 */
public final class EndRecorder {
  private static final Logger log = LoggerFactory.getLogger(EndRecorder.class);

  /** First wait before recording a run's end again when the database did not take it. */
  static final Duration FIRST_RETRY = Duration.ofMillis(500);

  private final RunStore runs;
  private final SupervisedRuns supervised;
  private final ScheduledExecutorService retries;
  private final Duration maxBackoff;
  private final String agentName;
  private final Duration gracePeriod;
  private final BooleanSupplier agentStopping;
  private final Clock clock;
  private volatile AgentMetrics metrics = AgentMetrics.none();

  /**
   * @param retries where a retry waits; once shut down, ends are not retried any more
   * @param gracePeriod the agent's grace period on stop, for the message of runs it stopped
   * @param agentStopping whether the agent is stopping (its runs then end Crashed)
   * @param clock when a run ended, for one that reported no result
   */
  public EndRecorder(
      RunStore runs,
      SupervisedRuns supervised,
      ScheduledExecutorService retries,
      Duration maxBackoff,
      String agentName,
      Duration gracePeriod,
      BooleanSupplier agentStopping,
      Clock clock) {
    this.runs = runs;
    this.supervised = supervised;
    this.retries = retries;
    this.maxBackoff = maxBackoff;
    this.agentName = agentName;
    this.gracePeriod = gracePeriod;
    this.agentStopping = agentStopping;
    this.clock = clock;
  }

  /** Records the run's end when {@code execution} exits. */
  public void recordWhenEnded(SupervisedRun run, RunExecution execution) {
    Map<String, String> fields = RunLogFields.capture(); // the launch's run fields
    execution
        .exit()
        .whenComplete(
            (report, error) -> {
              try (RunLogFields scope = RunLogFields.open(fields)) {
                ended(run, report, error);
              }
            });
  }

  /** Decides and records the final state once the run's infrastructure has ended. */
  void ended(SupervisedRun run, ExitReport report, Throwable error) {
    if (supervised.isLeftForAdoption(run.id())) {
      return; // its infrastructure ends without us; the next agent records the outcome
    }
    // When it ended: what the bootstrap said, else now (its exit), not when the database answers.
    Instant endedAt =
        run.reporter().resultAt() != null ? run.reporter().resultAt() : clock.instant();
    ExitReport exit = report != null ? report : new ExitReport(-1, oneLine(error));
    recordEnd(run, exit, endedAt, Backoff.exponential(FIRST_RETRY, max(FIRST_RETRY, maxBackoff)));
  }

  /**
   * Records the end of a supervised run. When the database does not answer, the run keeps its slot
   * (and its lease, renewed by the heartbeat) and the end is recorded again after a backoff, so a
   * run that ended during an outage ends as it did, not Crashed by the reconciler later. Every task
   * state and log line the run reported is stored before its final state.
   */
  private void recordEnd(
      SupervisedRun supervisedRun, ExitReport exit, Instant endedAt, Backoff backoff) {
    FlowRun run = supervisedRun.run();
    RunReporter reporter = supervisedRun.reporter();
    try {
      reporter.drain();
      RunState current = runs.find(run.id()).map(FlowRun::state).orElse(null);
      FinalState outcome =
          FinalState.decide(
              run, current, reporter, exit, agentStopping.getAsBoolean(), agentName, gracePeriod);
      if (outcome.state() != RunState.Success && supervisedRun.markEndLogged()) {
        // Once, however often the end is recorded again.
        reporter.agentLog(
            outcome.state() == RunState.Cancelled ? "INFO" : "ERROR", outcome.message());
      }
      reporter.drain();
      boolean ended =
          recordOutcome(
              run,
              run.fence(),
              new FinalState(outcome.state(), reporter.redact(outcome.message())),
              endedAt);
      if (ended) {
        metrics.finished(outcome.state(), reporter.runningAt(), endedAt);
      }
    } catch (RuntimeException e) {
      Duration wait = backoff.nextDelay();
      Map<String, String> fields = RunLogFields.capture();
      Runnable again =
          () -> {
            try (RunLogFields scope = RunLogFields.open(fields)) {
              recordEnd(supervisedRun, exit, endedAt, backoff);
            }
          };
      if (retryLater(again, wait)) {
        log.warn(
            "run {}: recording its end failed ({}); trying again in about {} ms",
            run.id(),
            oneLine(e),
            wait.toMillis());
        return;
      }
      log.error("run {}: recording its end failed: {}", run.id(), oneLine(e));
    }
    supervised.release(supervisedRun);
  }

  /** Schedules {@code task} after {@code delay}; false when the agent's tasks have stopped. */
  private boolean retryLater(Runnable task, Duration delay) {
    try {
      retries.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Records how a run ended. An infrastructure failure (Crashed) schedules the run again instead,
   * while its flow version's infrastructure-retry budget lasts; a Failed run never does.
   */
  public void recordOutcome(FlowRun run, RunFence fence, FinalState outcome) {
    if (recordOutcome(run, fence, outcome, clock.instant())) {
      metrics.finished(outcome.state(), null, null);
    }
  }

  /** Where ends are counted (by final state) and timed. */
  public void countWith(AgentMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Records how a run ended at {@code endedAt}; its tasks that never reported an end get a terminal
   * state saying why in the same write ({@link RunStore#transition}).
   *
   * @return whether that was the run's end (false: scheduled again after a crash)
   */
  public boolean recordOutcome(FlowRun run, RunFence fence, FinalState outcome, Instant endedAt) {
    if (outcome.isInfrastructureFailure()) {
      Optional<InfrastructureRetry> retry =
          runs.rescheduleAfterCrash(fence, outcome.message(), endedAt);
      if (retry.isPresent()) {
        log.warn(
            "run {} crashed ({}); scheduled again: {}",
            run.id(),
            outcome.message(),
            retry.get().describe());
        return false;
      }
    }
    // The time it ended, not the time of this write (which may follow a database outage).
    if (!runs.transition(fence, outcome.state(), outcome.message(), endedAt)) {
      log.warn(
          "run {}: final state {} not recorded (the run moved on without this agent)",
          run.id(),
          outcome.state());
      return false;
    }
    log.info("run {} ended {}", run.id(), outcome.state());
    return true;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
