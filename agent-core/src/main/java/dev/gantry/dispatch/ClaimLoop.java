package dev.gantry.dispatch;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.retry.Backoff;
import dev.gantry.supervision.AgentIdentity;
import dev.gantry.supervision.SupervisedRuns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop, on its own thread: claims due runs while there are free slots and dispatches
 * them; waits for a wake-up (a run signal, a freed slot) or the poll interval; backs off with
 * jitter while the backend fails.
 */
public final class ClaimLoop {
  private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

  private final RunStore runs;
  private final SupervisedRuns supervised;
  private final Dispatcher dispatcher;
  private final AgentIdentity agent;
  private final int maxConcurrent;
  private final Duration pollInterval;
  private final Duration lease;
  private final Backoff backoff;
  private final Clock clock;
  private final AgentMetrics metrics;
  private volatile boolean claiming;
  private volatile Instant lastPoll;
  private Thread thread;

  /**
   * @param maxBackoff the longest wait after repeated backend errors
   * @param lease the lease each claimed run gets (the agent's orphan timeout)
   */
  public ClaimLoop(
      RunStore runs,
      SupervisedRuns supervised,
      Dispatcher dispatcher,
      AgentIdentity agent,
      int maxConcurrent,
      Duration pollInterval,
      Duration maxBackoff,
      Duration lease,
      Clock clock) {
    this(
        runs,
        supervised,
        dispatcher,
        agent,
        maxConcurrent,
        pollInterval,
        maxBackoff,
        lease,
        clock,
        AgentMetrics.none());
  }

  /** A claim loop whose polls are counted and timed in {@code metrics}. */
  public ClaimLoop(
      RunStore runs,
      SupervisedRuns supervised,
      Dispatcher dispatcher,
      AgentIdentity agent,
      int maxConcurrent,
      Duration pollInterval,
      Duration maxBackoff,
      Duration lease,
      Clock clock,
      AgentMetrics metrics) {
    this.metrics = metrics;
    this.runs = runs;
    this.supervised = supervised;
    this.dispatcher = dispatcher;
    this.agent = agent;
    this.maxConcurrent = maxConcurrent;
    this.pollInterval = pollInterval;
    this.lease = lease;
    // The first failure waits twice the poll interval, then the wait doubles up to the longest.
    Duration first = pollInterval.multipliedBy(2);
    this.backoff =
        Backoff.exponential(first.compareTo(maxBackoff) <= 0 ? first : maxBackoff, maxBackoff);
    this.clock = clock;
  }

  /** Starts the loop's thread. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("claim loop already started");
    }
    claiming = true;
    thread = new Thread(this::loop, "gantry-agent-claim");
    thread.start();
  }

  /** Stops claiming and waits a few seconds for a claim in progress. */
  public void stop() {
    claiming = false;
    Thread loop;
    synchronized (this) {
      loop = thread;
    }
    if (loop != null) {
      // Woken, not interrupted: interrupting a thread inside a JDBC call breaks its connection.
      supervised.wake();
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public synchronized boolean isRunning() {
    return thread != null && thread.isAlive();
  }

  /** When a poll last succeeded, or null. */
  public Instant lastPoll() {
    return lastPoll;
  }

  /**
   * One pass: claims runs for the free slots and dispatches them.
   *
   * @return how many runs it claimed
   * @throws RuntimeException when the backend fails
   */
  public int claimOnce() {
    int free = maxConcurrent - supervised.slotsTaken();
    int claimed = 0;
    if (free > 0) {
      List<FlowRun> due =
          supervised.claim(
              () -> runs.claimDue(agent.id(), agent.labels(), free, clock.instant(), lease));
      due.forEach(dispatcher::launch);
      claimed = due.size();
    }
    lastPoll = clock.instant();
    return claimed;
  }

  private void loop() {
    while (claiming) {
      Duration wait = pollInterval;
      long pollStart = System.nanoTime();
      try {
        int claimed = claimOnce();
        metrics.polled(claimed, false, Duration.ofNanos(System.nanoTime() - pollStart));
        backoff.reset();
      } catch (RuntimeException e) {
        metrics.polled(0, true, Duration.ofNanos(System.nanoTime() - pollStart));
        wait = backoff.nextDelay();
        log.warn("polling for runs failed ({}); retrying in {} ms", oneLine(e), wait.toMillis());
      }
      try {
        // A finished run and a DUE signal wake it: a freed slot or a new run is taken at once.
        supervised.awaitWake(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
