package dev.gantry.agent;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.Backend;
import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunSignalSubscription;
import dev.gantry.dispatch.ClaimLoop;
import dev.gantry.dispatch.Dispatcher;
import dev.gantry.dispatch.LaunchPlanner;
import dev.gantry.domain.AgentInfo;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.launch.Launcher;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.supervision.AdoptedRunTimeouts;
import dev.gantry.supervision.AgentIdentity;
import dev.gantry.supervision.AgentTask;
import dev.gantry.supervision.CancelWatch;
import dev.gantry.supervision.EndRecorder;
import dev.gantry.supervision.Heartbeat;
import dev.gantry.supervision.LogFlusher;
import dev.gantry.supervision.OrphanReaper;
import dev.gantry.supervision.Reconciler;
import dev.gantry.supervision.RunSecrets;
import dev.gantry.supervision.RunTakeover;
import dev.gantry.supervision.StartupAdoption;
import dev.gantry.supervision.SupervisedRuns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running agent: claims due runs whose labels it covers, launches them through its {@link
 * Launcher} and records what they report. It builds, schedules, starts and stops named tasks, each
 * with its own error boundary: the {@link ClaimLoop} (woken by the database's run signals where it
 * pushes them, else by polling), the {@link Heartbeat} (which renews the leases of its runs), the
 * {@link CancelWatch}, the {@link LogFlusher}, the {@link OrphanReaper} (adopting runs whose lease
 * expired), the {@link StartupAdoption} and the {@link Reconciler} (removing infrastructure of
 * ended runs, ending runs whose infrastructure vanished). They share the {@link SupervisedRuns}.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration FLUSH_INTERVAL = Duration.ofMillis(250);
  private static final Duration CANCEL_WATCH_INTERVAL = Duration.ofMillis(500);

  private final Backend backend;
  private final Launcher launcher;
  private final AgentOptions options;
  private final Clock clock;
  private final String id = UUID.randomUUID().toString();
  private final SupervisedRuns supervised = new SupervisedRuns();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService tasks =
      Executors.newScheduledThreadPool(3, daemon("gantry-agent-tasks"));

  /**
   * The heartbeat's own thread: leases must be renewed on time even while the other tasks wait for
   * a database that does not answer.
   */
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(daemon("gantry-agent-heartbeat"));

  private final ClaimLoop claimLoop;
  private final Heartbeat heartbeat;
  private final CancelWatch cancelWatch;
  private final LogFlusher logFlusher;
  private final OrphanReaper orphanReaper;
  private final StartupAdoption startupAdoption;
  private final Reconciler reconciler;
  private volatile boolean started;
  private volatile boolean stopping;
  private volatile RunSignalSubscription signals = RunSignalSubscription.NONE;

  public Agent(
      Backend backend,
      Launcher launcher,
      AgentOptions options,
      dev.gantry.supervision.SecretSource secrets) {
    this(backend, launcher, options, secrets, Clock.systemUTC());
  }

  /** An agent whose leases, reaper and health read {@code clock} (tests control it). */
  public Agent(
      Backend backend,
      Launcher launcher,
      AgentOptions options,
      dev.gantry.supervision.SecretSource secrets,
      Clock clock) {
    this(backend, launcher, options, secrets, clock, AgentMetrics.none());
  }

  /** An agent whose polls, launches, runs and slots are counted in {@code metrics}. */
  public Agent(
      Backend backend,
      Launcher launcher,
      AgentOptions options,
      dev.gantry.supervision.SecretSource secrets,
      Clock clock,
      AgentMetrics metrics) {
    this.backend = backend;
    this.launcher = launcher;
    this.options = options;
    this.clock = clock;
    AgentIdentity identity = new AgentIdentity(id, options.name(), options.labels());
    EndRecorder ends =
        new EndRecorder(
            backend.runs(),
            supervised,
            tasks,
            options.maxBackoff(),
            options.name(),
            options.gracePeriod(),
            () -> stopping,
            clock);
    ends.countWith(metrics);
    RunTakeover takeover =
        new RunTakeover(
            backend.runs(),
            launcher,
            supervised,
            ends,
            new RunSecrets(backend.flows(), secrets),
            identity,
            options.orphanTimeout(),
            clock,
            launcher instanceof BoundedLauncher bounded
                ? new AdoptedRunTimeouts(backend.flows(), bounded, clock)
                : AdoptedRunTimeouts.NONE);
    Dispatcher dispatcher =
        new Dispatcher(
            backend.runs(),
            launcher,
            new LaunchPlanner(backend.flows(), secrets, id),
            supervised,
            ends,
            metrics);
    this.claimLoop =
        new ClaimLoop(
            backend.runs(),
            supervised,
            dispatcher,
            identity,
            options.maxConcurrent(),
            options.pollInterval(),
            options.maxBackoff(),
            options.orphanTimeout(),
            clock,
            metrics);
    this.heartbeat =
        new Heartbeat(
            backend.runs(),
            backend.agents(),
            supervised,
            id,
            options.heartbeatInterval(),
            options.orphanTimeout(),
            clock);
    this.cancelWatch =
        new CancelWatch(backend.runs(), supervised, launcher, id, options.cancelGrace());
    this.logFlusher = new LogFlusher(supervised);
    this.orphanReaper =
        new OrphanReaper(
            backend.runs(),
            backend.agents(),
            launcher.kind(),
            supervised,
            heartbeat,
            takeover,
            identity,
            clock);
    this.startupAdoption =
        new StartupAdoption(
            backend.runs(),
            backend.agents(),
            launcher,
            supervised,
            takeover,
            identity,
            options.orphanTimeout(),
            clock);
    metrics.agent(
        supervised::slotsTaken,
        options.maxConcurrent(),
        heartbeat::lastBeat,
        supervised::bufferedReports);
    this.reconciler = new Reconciler(backend.runs(), launcher, supervised, takeover, identity);
  }

  public String id() {
    return id;
  }

  public AgentOptions options() {
    return options;
  }

  /** Ids of the runs this agent supervises now. */
  public Set<String> activeRunIds() {
    return supervised.activeIds();
  }

  /** Registers the agent and starts its tasks; returns at once. */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("agent already started");
    }
    Instant now = clock.instant();
    backend
        .agents()
        .register(
            new AgentInfo(
                id,
                options.name(),
                launcher.kind(),
                Local.hostName(),
                options.labels(),
                options.maxConcurrent(),
                0,
                now,
                now,
                null),
            publishedPolicy());
    heartbeat.registered(now);
    launcher.prepare();
    startupAdoption.runOnce();
    signals = backend.subscribe("agent " + options.name(), this::onSignal);
    schedule(heartbeats, heartbeat, options.heartbeatInterval());
    schedule(tasks, cancelWatch, CANCEL_WATCH_INTERVAL);
    schedule(tasks, logFlusher, FLUSH_INTERVAL);
    schedule(tasks, orphanReaper, options.orphanTimeout().dividedBy(2));
    schedule(tasks, reconciler, options.orphanTimeout());
    started = true;
    claimLoop.start();
    log.info(
        "agent {} ({}) started with labels {}, up to {} runs at once",
        options.name(),
        launcher.kind(),
        options.labels().isEmpty() ? "(none)" : options.labels(),
        options.maxConcurrent());
  }

  /**
   * The policy this agent's launcher enforces, published with its registration so {@code run
   * explain} in any process can name it when it would refuse a run; null when it is not bounded.
   */
  LaunchPolicy publishedPolicy() {
    return launcher instanceof BoundedLauncher bounded ? bounded.policy() : null;
  }

  private void onSignal(RunSignal signal) {
    switch (signal) {
      case DUE -> supervised.wake();
      case CANCEL -> {
        try {
          tasks.execute(cancelWatch::runGuarded);
        } catch (RejectedExecutionException e) {
          // stopping: nothing to enforce any more
        }
      }
    }
  }

  private static void schedule(ScheduledExecutorService on, AgentTask task, Duration every) {
    on.scheduleWithFixedDelay(
        task::runGuarded, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---- health -----------------------------------------------------------------------------

  /** A health answer: ok, or the reasons it is not. */
  public record Health(boolean ok, List<String> reasons) {}

  /** Live while the claim loop runs (or the agent is stopping gracefully). */
  public Health liveness() {
    boolean live = stopping || claimLoop.isRunning();
    return new Health(live, live ? List.of() : List.of("the claim loop is not running"));
  }

  /** Ready while the database and the platform answer and a poll succeeded recently. */
  public Health readiness() {
    List<String> reasons = new ArrayList<>();
    if (stopping) {
      reasons.add("the agent is stopping");
    }
    if (!backend.isReachable()) {
      reasons.add("the database does not answer");
    }
    if (!launcher.isPlatformReachable()) {
      reasons.add("the " + launcher.kind() + " platform does not answer");
    }
    Duration allowed = options.pollInterval().multipliedBy(3).plus(Duration.ofSeconds(10));
    Instant polled = claimLoop.lastPoll();
    if (polled == null || polled.isBefore(clock.instant().minus(allowed))) {
      reasons.add(
          "no successful poll "
              + (polled == null ? "yet" : "since " + polled)
              + " (allowed: "
              + allowed.toSeconds()
              + " s)");
    }
    return new Health(reasons.isEmpty(), List.copyOf(reasons));
  }

  // ---- stopping ---------------------------------------------------------------------------

  /**
   * Stops gracefully: no more claims, running runs get the grace period to finish, then the rest
   * are stopped and recorded Crashed. Idempotent; safe from a shutdown hook.
   */
  public void stop() {
    synchronized (this) {
      if (stopping) {
        awaitStopped();
        return;
      }
      stopping = true;
    }
    claimLoop.stop();
    if (!supervised.isEmpty()) {
      log.info(
          "waiting up to {} s for {} running runs to finish",
          options.gracePeriod().toSeconds(),
          supervised.activeCount());
    }
    supervised.awaitNoneActive(options.gracePeriod());
    if (!supervised.isEmpty() && launcher.infrastructureOutlivesAgent()) {
      // A rollout or restart must not kill runs the next agent can adopt.
      logFlusher.runOnce();
      log.info(
          "leaving {} runs running after the grace period; the next {} agent adopts them",
          supervised.leaveForAdoption(),
          launcher.kind());
    } else if (!supervised.isEmpty()) {
      log.warn("stopping {} runs still running after the grace period", supervised.activeCount());
      supervised.activeIds().forEach(runId -> launcher.cancel(runId, Duration.ofSeconds(5)));
      supervised.awaitNoneActive(Duration.ofSeconds(15));
    }
    signals.close();
    tasks.shutdownNow();
    heartbeats.shutdownNow();
    try {
      backend.agents().markStopped(id, clock.instant());
    } catch (RuntimeException e) {
      log.warn("could not record that agent {} stopped: {}", options.name(), oneLine(e));
    }
    stopped.countDown();
    log.info("agent {} stopped", options.name());
  }

  /** Blocks until {@link #stop()} has completed. */
  public void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
