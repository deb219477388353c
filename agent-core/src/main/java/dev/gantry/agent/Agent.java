package dev.gantry.agent;

import dev.gantry.agents.AgentInfo;
import dev.gantry.backend.Backend;
import dev.gantry.flow.storage.Local;
import dev.gantry.launcher.ExitReport;
import dev.gantry.launcher.Infrastructure;
import dev.gantry.launcher.LaunchException;
import dev.gantry.launcher.Launcher;
import dev.gantry.launcher.RunExecution;
import dev.gantry.runs.FlowRun;
import dev.gantry.runs.LabelRule;
import dev.gantry.runs.RunFence;
import dev.gantry.runs.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running agent: claims due runs whose labels it covers, launches them through its {@link
 * Launcher} and records what they report. It only wires small tasks, each with its own error
 * boundary: the claim loop, the heartbeat, the cancel watch, the log flusher and the orphan reaper.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration FLUSH_INTERVAL = Duration.ofMillis(250);
  private static final Duration CANCEL_WATCH_INTERVAL = Duration.ofMillis(500);

  private final Backend backend;
  private final Launcher launcher;
  private final AgentOptions options;
  private final LaunchPlanner planner;
  private final String id = UUID.randomUUID().toString();
  private final Map<String, Supervised> active = new ConcurrentHashMap<>();
  private final Semaphore wake = new Semaphore(0);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService tasks =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "gantry-agent-tasks");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean claiming;
  private volatile boolean stopping;
  private volatile Instant lastPoll;
  private Thread claimThread;

  public Agent(Backend backend, Launcher launcher, AgentOptions options, SecretSource secrets) {
    this.backend = backend;
    this.launcher = launcher;
    this.options = options;
    this.planner = new LaunchPlanner(backend.flows(), secrets, id);
  }

  public String id() {
    return id;
  }

  public AgentOptions options() {
    return options;
  }

  /** Ids of the runs this agent supervises now. */
  public Set<String> activeRunIds() {
    return Set.copyOf(active.keySet());
  }

  /** Registers the agent and starts its tasks; returns at once. */
  public synchronized void start() {
    if (claimThread != null) {
      throw new IllegalStateException("agent already started");
    }
    Instant now = Instant.now();
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
                null));
    launcher.prepare();
    adoptLeftInfrastructure();
    schedule("heartbeat", options.heartbeatInterval(), this::heartbeat);
    schedule("cancel watch", CANCEL_WATCH_INTERVAL, this::enforceCancels);
    schedule("log flusher", FLUSH_INTERVAL, this::flushLogs);
    schedule("orphan reaper", options.orphanTimeout().dividedBy(2), this::reapOrphans);
    claiming = true;
    claimThread = new Thread(this::claimLoop, "gantry-agent-claim");
    claimThread.start();
    log.info(
        "agent {} ({}) started with labels {}, up to {} runs at once",
        options.name(),
        launcher.kind(),
        options.labels().isEmpty() ? "(none)" : options.labels(),
        options.maxConcurrent());
  }

  // ---- claim loop -------------------------------------------------------------------------

  /** Polls for due runs while there are free slots; backs off with jitter on backend errors. */
  private void claimLoop() {
    Duration backoff = options.pollInterval();
    while (claiming) {
      Duration wait = options.pollInterval();
      try {
        int free = options.maxConcurrent() - active.size();
        if (free > 0) {
          List<FlowRun> claimed =
              backend.runs().claimDue(id, options.labels(), free, Instant.now());
          claimed.forEach(this::launch);
        }
        lastPoll = Instant.now();
        backoff = options.pollInterval();
      } catch (RuntimeException e) {
        backoff = min(backoff.multipliedBy(2), options.maxBackoff());
        wait = jitter(backoff);
        log.warn("polling for runs failed ({}); retrying in {} ms", oneLine(e), wait.toMillis());
      }
      try {
        // A finished run releases the semaphore, so a freed slot is refilled at once.
        if (wake.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void launch(FlowRun run) {
    RunReporter reporter;
    LaunchPlanner.Plan plan;
    try {
      plan = planner.plan(run);
    } catch (LaunchException e) {
      failLaunch(run, new RunReporter(backend.runs(), run.fence(), Redactor.NONE), e);
      return;
    }
    reporter =
        new RunReporter(backend.runs(), run.fence(), new Redactor(plan.secretValues().values()));
    Supervised supervised = new Supervised(run, reporter);
    active.put(run.id(), supervised);
    try {
      RunExecution execution = launcher.launch(plan.request(), reporter);
      supervised.execution = execution;
      execution.exit().whenComplete((report, error) -> finish(supervised, report, error));
      log.info("run {} of flow {} launched", run.id(), run.flowName());
    } catch (LaunchException e) {
      active.remove(run.id());
      failLaunch(run, reporter, e);
    } catch (RuntimeException e) {
      active.remove(run.id());
      failLaunch(
          run,
          reporter,
          new LaunchException(
              "run " + run.id() + " could not be launched: " + oneLine(e),
              RunState.Crashed,
              "LaunchError",
              e));
    }
  }

  private void failLaunch(FlowRun run, RunReporter reporter, LaunchException e) {
    String message = reporter.redact(e.getMessage());
    log.warn("run {} not launched: {}", run.id(), message);
    reporter.agentLog("ERROR", message);
    reporter.flush();
    backend.runs().transition(run.fence(), e.outcome(), message);
    wake.release();
  }

  /** Decides and records the final state once the run's infrastructure has ended. */
  private void finish(Supervised supervised, ExitReport report, Throwable error) {
    FlowRun run = supervised.run;
    RunReporter reporter = supervised.reporter;
    try {
      reporter.flush();
      ExitReport exit = report != null ? report : new ExitReport(-1, oneLine(error));
      RunState current = backend.runs().find(run.id()).map(FlowRun::state).orElse(null);
      FinalState outcome = FinalState.decide(run, current, reporter, exit, stopping, options);
      if (outcome.state() != RunState.Success) {
        reporter.agentLog(
            outcome.state() == RunState.Cancelled ? "INFO" : "ERROR", outcome.message());
        reporter.flush();
      }
      if (!backend
          .runs()
          .transition(run.fence(), outcome.state(), reporter.redact(outcome.message()))) {
        log.warn(
            "run {}: final state {} not recorded (the run moved on without this agent)",
            run.id(),
            outcome.state());
      } else {
        log.info("run {} ended {}", run.id(), outcome.state());
      }
    } catch (RuntimeException e) {
      log.error("run {}: recording its end failed: {}", run.id(), oneLine(e));
    } finally {
      active.remove(run.id());
      wake.release();
    }
  }

  // ---- periodic tasks ---------------------------------------------------------------------

  private void heartbeat() {
    backend.agents().heartbeat(id, Instant.now(), active.size());
  }

  private void flushLogs() {
    active.values().forEach(s -> s.reporter.flush());
  }

  /** Stops the infrastructure of runs whose cancel was requested. */
  private void enforceCancels() {
    for (FlowRun run : backend.runs().runsOfAgent(id, List.of(RunState.Cancelling))) {
      Supervised supervised = active.get(run.id());
      if (supervised == null) {
        backend.runs().transition(run.fence(), RunState.Cancelled, "cancelled by request");
      } else if (!supervised.cancelSent) {
        supervised.cancelSent = true;
        supervised.reporter.agentLog("INFO", "cancel requested; stopping the run");
        launcher.cancel(run.id(), options.cancelGrace());
      }
    }
  }

  /**
   * Takes over the runs of agents of this kind that stopped heartbeating: re-attaches to their
   * infrastructure when the launcher finds it, else ends them Crashed. (Local runs stop with their
   * agent, so theirs end Crashed.)
   */
  private void reapOrphans() {
    Instant before = Instant.now().minus(options.orphanTimeout());
    for (FlowRun run : backend.runs().orphanedRuns(launcher.kind(), before)) {
      if (!active.containsKey(run.id()) && LabelRule.agentTakes(options.labels(), run.labels())) {
        adopt(run, "agent " + run.agentId() + " stopped heartbeating");
      }
    }
  }

  /**
   * At start: the infrastructure of this launcher's kind that outlived its agent (for example this
   * agent's previous process, killed) is re-attached or finalized.
   */
  private void adoptLeftInfrastructure() {
    Instant stale = Instant.now().minus(options.orphanTimeout());
    for (Infrastructure infra : launcher.discover()) {
      try {
        FlowRun run = backend.runs().find(infra.runId()).orElse(null);
        if (run == null
            || !run.state().isActive()
            || run.attempt() != infra.attempt()
            || run.agentId() == null
            || !LabelRule.agentTakes(options.labels(), run.labels())) {
          continue; // not ours to adopt; reconciliation removes what belongs to ended runs
        }
        AgentInfo owner = backend.agents().find(run.agentId()).orElse(null);
        boolean ownerGone =
            owner == null
                || owner.stoppedAt() != null
                || owner.heartbeatAt().isBefore(stale)
                || owner.name().equals(options.name()); // our own previous process
        if (ownerGone) {
          adopt(run, "agent " + (owner == null ? run.agentId() : owner.name()) + " is gone");
        }
      } catch (RuntimeException e) {
        log.warn("could not adopt run {}: {}", infra.runId(), oneLine(e));
      }
    }
  }

  /** Hands the run to this agent and re-attaches to its infrastructure, or ends it Crashed. */
  private void adopt(FlowRun run, String why) {
    Optional<RunFence> fence =
        backend.runs().adopt(run.fence(), id, "adopted by agent " + options.name() + ": " + why);
    if (fence.isEmpty()) {
      return; // it moved on meanwhile, or another agent adopted it first
    }
    FlowRun adopted = backend.runs().find(run.id()).orElseThrow();
    Instant storedUpTo = backend.runs().latestLogAt(run.id()).orElse(null);
    RunReporter reporter =
        new RunReporter(
            backend.runs(),
            fence.get(),
            new Redactor(planner.secretValuesFor(adopted).values()),
            storedUpTo);
    Supervised supervised = new Supervised(adopted, reporter);
    active.put(run.id(), supervised);
    Optional<RunExecution> execution = launcher.find(run.id(), run.attempt(), storedUpTo, reporter);
    if (execution.isEmpty()) {
      active.remove(run.id());
      String message = why + " before run " + run.id() + " ended; its infrastructure is gone";
      reporter.agentLog("ERROR", message);
      reporter.flush();
      backend.runs().transition(fence.get(), RunState.Crashed, message);
      log.warn("{}: marked Crashed", message);
      wake.release();
      return;
    }
    reporter.agentLog("INFO", "re-attached by agent " + options.name() + " (" + why + ")");
    supervised.execution = execution.get();
    execution.get().exit().whenComplete((report, error) -> finish(supervised, report, error));
    log.info("run {} re-attached ({})", run.id(), why);
  }

  private void schedule(String name, Duration every, Runnable task) {
    tasks.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("agent task '{}' failed: {}", name, oneLine(e));
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  // ---- health -----------------------------------------------------------------------------

  /** A health answer: ok, or the reasons it is not. */
  public record Health(boolean ok, List<String> reasons) {}

  /** Live while the claim loop runs (or the agent is stopping gracefully). */
  public Health liveness() {
    Thread loop = claimThread;
    boolean live = stopping || (loop != null && loop.isAlive());
    return new Health(live, live ? List.of() : List.of("the claim loop is not running"));
  }

  /** Ready while the database and the platform answer and a poll succeeded recently. */
  public Health readiness() {
    List<String> reasons = new java.util.ArrayList<>();
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
    Instant polled = lastPoll;
    if (polled == null || polled.isBefore(Instant.now().minus(allowed))) {
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
      claiming = false;
    }
    if (claimThread != null) {
      // Woken, not interrupted: interrupting a thread inside a JDBC call breaks its connection.
      wake.release();
      try {
        claimThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!active.isEmpty()) {
      log.info(
          "waiting up to {} s for {} running runs to finish",
          options.gracePeriod().toSeconds(),
          active.size());
    }
    waitForActive(options.gracePeriod());
    if (!active.isEmpty()) {
      log.warn("stopping {} runs still running after the grace period", active.size());
      active.keySet().forEach(runId -> launcher.cancel(runId, Duration.ofSeconds(5)));
      waitForActive(Duration.ofSeconds(15));
    }
    tasks.shutdownNow();
    try {
      backend.agents().markStopped(id, Instant.now());
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

  private void waitForActive(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!active.isEmpty() && System.nanoTime() < deadline) {
      try {
        wake.tryAcquire(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Duration jitter(Duration d) {
    long ms = Math.max(1, d.toMillis());
    return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String oneLine(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ');
  }

  /** A run this agent supervises. */
  private static final class Supervised {
    final FlowRun run;
    final RunReporter reporter;
    volatile RunExecution execution;
    volatile boolean cancelSent;

    Supervised(FlowRun run, RunReporter reporter) {
      this.run = run;
      this.reporter = reporter;
    }
  }
}
