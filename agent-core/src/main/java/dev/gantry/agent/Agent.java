package dev.gantry.agent;

import dev.gantry.backend.Backend;
import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunSignalSubscription;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.LabelRule;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.RunExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running agent: claims due runs whose labels it covers, launches them through its {@link
 * Launcher} and records what they report. It only wires small tasks, each with its own error
 * boundary: the claim loop (woken by the database's run signals where it pushes them, else by
 * polling), the heartbeat (which renews the leases of its runs), the cancel watch, the log flusher,
 * the orphan reaper (adopting runs whose lease expired) and the reconciler (removing infrastructure
 * of ended runs, ending runs whose infrastructure vanished).
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration FLUSH_INTERVAL = Duration.ofMillis(250);
  private static final Duration CANCEL_WATCH_INTERVAL = Duration.ofMillis(500);

  /** First wait before recording a run's end again when the database did not take it. */
  private static final Duration FIRST_RECORD_RETRY = Duration.ofMillis(500);

  private final Backend backend;
  private final Launcher launcher;
  private final AgentOptions options;
  private final LaunchPlanner planner;
  private final String id = UUID.randomUUID().toString();
  private final Map<String, Supervised> active = new ConcurrentHashMap<>();

  /** Infrastructure whose removal was already logged (platforms may list it while deleting). */
  private final Set<String> reportedRemovals = ConcurrentHashMap.newKeySet();

  /** Runs this agent stopped supervising on its way out, for the next agent to adopt. */
  private final Set<String> leftForAdoption = ConcurrentHashMap.newKeySet();

  /**
   * Runs claimed and not yet in {@link #active}: neither reconciler nor cancel watch touch them.
   */
  private final Set<String> launching = ConcurrentHashMap.newKeySet();

  /** Held while claiming and while the reconciler lists this agent's runs. */
  private final Object claimLock = new Object();

  /** Held while a run is taken over (adopted, re-attached or ended) by the reaper or reconciler. */
  private final Object adoptionLock = new Object();

  private final Object cancelLock = new Object();
  private final Semaphore wake = new Semaphore(0);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService tasks =
      Executors.newScheduledThreadPool(
          3,
          r -> {
            Thread t = new Thread(r, "gantry-agent-tasks");
            t.setDaemon(true);
            return t;
          });

  /**
   * The heartbeat's own thread: leases must be renewed on time even while the other tasks wait for
   * a database that does not answer.
   */
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gantry-agent-heartbeat");
            t.setDaemon(true);
            return t;
          });

  private volatile boolean claiming;
  private volatile boolean stopping;
  private volatile Instant lastPoll;

  /**
   * Since when this agent's heartbeats have succeeded promptly, one after the other (null after a
   * failed one): the reaper judges other agents' leases only after a whole lease of this.
   */
  private volatile Instant connectedSince;

  /** When this agent's heartbeat last succeeded. */
  private volatile Instant lastHeartbeat;

  private volatile RunSignalSubscription signals = RunSignalSubscription.NONE;
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
    connectedSince = now;
    lastHeartbeat = now;
    launcher.prepare();
    adoptLeftInfrastructure();
    signals = backend.subscribe("agent " + options.name(), this::onSignal);
    long beat = options.heartbeatInterval().toMillis();
    heartbeats.scheduleWithFixedDelay(
        () -> runTask("heartbeat", this::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
    schedule("cancel watch", CANCEL_WATCH_INTERVAL, this::enforceCancels);
    schedule("log flusher", FLUSH_INTERVAL, this::flushLogs);
    schedule("orphan reaper", options.orphanTimeout().dividedBy(2), this::reapOrphans);
    schedule("reconciler", options.orphanTimeout(), this::reconcile);
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

  /**
   * Claims due runs while there are free slots; waits for a run signal, a freed slot or the poll
   * interval; backs off with jitter on backend errors.
   */
  private void claimLoop() {
    Duration backoff = options.pollInterval();
    while (claiming) {
      Duration wait = options.pollInterval();
      try {
        int free = options.maxConcurrent() - active.size() - launching.size();
        if (free > 0) {
          List<FlowRun> claimed;
          synchronized (claimLock) {
            claimed =
                backend
                    .runs()
                    .claimDue(id, options.labels(), free, Instant.now(), options.orphanTimeout());
            claimed.forEach(run -> launching.add(run.id()));
          }
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
        // A finished run and a DUE signal release the semaphore: a freed slot or a new run is
        // taken at once.
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
    try {
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
        active.remove(run.id(), supervised);
        failLaunch(run, reporter, e);
      } catch (RuntimeException e) {
        active.remove(run.id(), supervised);
        failLaunch(
            run,
            reporter,
            new LaunchException(
                "run " + run.id() + " could not be launched: " + oneLine(e),
                RunState.Crashed,
                "LaunchError",
                e));
      }
    } catch (RuntimeException e) {
      // Recording the failed launch failed too: the reconciler ends the run later.
      log.error("run {}: launching it failed: {}", run.id(), oneLine(e));
    } finally {
      launching.remove(run.id());
    }
  }

  private void failLaunch(FlowRun run, RunReporter reporter, LaunchException e) {
    String message = reporter.redact(e.getMessage());
    log.warn("run {} not launched: {}", run.id(), message);
    reporter.agentLog("ERROR", message);
    reporter.flush();
    recordOutcome(run, run.fence(), new FinalState(e.outcome(), message));
    wake.release();
  }

  /** Decides and records the final state once the run's infrastructure has ended. */
  private void finish(Supervised supervised, ExitReport report, Throwable error) {
    if (leftForAdoption.contains(supervised.run.id())) {
      return; // its infrastructure ends without us; the next agent records the outcome
    }
    try {
      supervised.reporter.flush();
    } catch (RuntimeException e) {
      log.warn("run {}: flushing its logs failed: {}", supervised.run.id(), oneLine(e));
    }
    ExitReport exit = report != null ? report : new ExitReport(-1, oneLine(error));
    recordEnd(supervised, exit, FIRST_RECORD_RETRY);
  }

  /**
   * Records the end of a supervised run. When the database does not answer, the run keeps its slot
   * (and its lease, renewed by the heartbeat) and the end is recorded again after a backoff, so a
   * run that ended during an outage ends as it did, not Crashed by the reconciler later.
   */
  private void recordEnd(Supervised supervised, ExitReport exit, Duration nextTry) {
    FlowRun run = supervised.run;
    RunReporter reporter = supervised.reporter;
    try {
      RunState current = backend.runs().find(run.id()).map(FlowRun::state).orElse(null);
      FinalState outcome = FinalState.decide(run, current, reporter, exit, stopping, options);
      if (outcome.state() != RunState.Success) {
        reporter.agentLog(
            outcome.state() == RunState.Cancelled ? "INFO" : "ERROR", outcome.message());
        reporter.flush();
      }
      recordOutcome(
          run, run.fence(), new FinalState(outcome.state(), reporter.redact(outcome.message())));
    } catch (RuntimeException e) {
      if (retryLater(
          () -> recordEnd(supervised, exit, min(nextTry.multipliedBy(2), options.maxBackoff())),
          nextTry)) {
        log.warn(
            "run {}: recording its end failed ({}); trying again in about {} ms",
            run.id(),
            oneLine(e),
            nextTry.toMillis());
        return;
      }
      log.error("run {}: recording its end failed: {}", run.id(), oneLine(e));
    }
    release(supervised);
  }

  /**
   * Schedules {@code task} after about {@code delay}; false when the agent's tasks have stopped.
   */
  private boolean retryLater(Runnable task, Duration delay) {
    try {
      tasks.schedule(task, jitter(delay).toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void release(Supervised supervised) {
    active.remove(supervised.run.id(), supervised);
    wake.release();
  }

  /**
   * Records how a run ended. An infrastructure failure (Crashed) schedules the run again instead,
   * while its flow version's infrastructure-retry budget lasts; a Failed run never does.
   */
  private void recordOutcome(FlowRun run, RunFence fence, FinalState outcome) {
    if (outcome.isInfrastructureFailure()) {
      Optional<InfrastructureRetry> retry =
          backend.runs().rescheduleAfterCrash(fence, outcome.message());
      if (retry.isPresent()) {
        log.warn(
            "run {} crashed ({}); scheduled again: {}",
            run.id(),
            outcome.message(),
            retry.get().describe());
        return;
      }
    }
    if (!backend.runs().transition(fence, outcome.state(), outcome.message())) {
      log.warn(
          "run {}: final state {} not recorded (the run moved on without this agent)",
          run.id(),
          outcome.state());
    } else {
      log.info("run {} ended {}", run.id(), outcome.state());
    }
  }

  // ---- run signals ------------------------------------------------------------------------

  private void onSignal(RunSignal signal) {
    switch (signal) {
      case DUE -> wake.release();
      case CANCEL -> {
        try {
          tasks.execute(() -> runTask("cancel watch", this::enforceCancels));
        } catch (RejectedExecutionException e) {
          // stopping: nothing to enforce any more
        }
      }
    }
  }

  // ---- periodic tasks ---------------------------------------------------------------------

  /**
   * Renews the agent's row and, in one statement, the leases of the runs it holds. A run whose
   * lease was not renewed was taken from it (adopted while this agent was cut off, or scheduled
   * again): it stops supervising it.
   */
  private void heartbeat() {
    Instant now = Instant.now();
    Set<String> held = new HashSet<>(active.keySet());
    held.addAll(launching);
    Set<String> renewed;
    try {
      renewed = backend.runs().renewLeases(id, held, options.orphanTimeout());
      backend.agents().heartbeat(id, now, active.size());
    } catch (RuntimeException e) {
      connectedSince = null;
      throw e;
    }
    Instant done = Instant.now();
    lastHeartbeat = done;
    if (connectedSince == null
        || Duration.between(now, done).compareTo(options.heartbeatInterval()) > 0) {
      // A heartbeat that had to wait (for a connection, say) starts the streak over.
      connectedSince = done;
    }
    for (String runId : held) {
      if (!renewed.contains(runId)) {
        letGoIfTaken(runId);
      }
    }
  }

  /** Stops supervising a run whose current attempt is no longer this agent's. */
  private void letGoIfTaken(String runId) {
    Supervised supervised = active.get(runId);
    if (supervised == null) {
      return;
    }
    FlowRun current = backend.runs().find(runId).orElse(null);
    if (current != null
        && current.attempt() == supervised.run.attempt()
        && id.equals(current.agentId())) {
      return; // still ours, just no longer active: its end is being recorded
    }
    log.warn(
        "run {} (attempt {}) is no longer this agent's ({}); it stops supervising it",
        runId,
        supervised.run.attempt(),
        current == null
            ? "it was deleted"
            : current.agentId() == null
                ? "it is " + current.state() + " again"
                : "agent " + current.agentId() + " holds attempt " + current.attempt());
    release(supervised);
  }

  private void flushLogs() {
    active.values().forEach(s -> s.reporter.flush());
  }

  /** Stops the infrastructure of runs whose cancel was requested. */
  private void enforceCancels() {
    synchronized (cancelLock) {
      for (FlowRun run : backend.runs().runsOfAgent(id, List.of(RunState.Cancelling))) {
        if (launching.contains(run.id())) {
          continue; // its infrastructure is being created: stopped on the next pass
        }
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
  }

  /**
   * Takes over the runs of agents of this kind whose lease expired: re-attaches to their
   * infrastructure when the launcher finds it, else ends them Crashed (or schedules them again
   * while their infrastructure-retry budget lasts). (Local runs stop with their agent, so theirs
   * are never found.)
   */
  private void reapOrphans() {
    Instant now = Instant.now();
    Instant since = connectedSince;
    Instant beat = lastHeartbeat;
    if (since == null
        || since.isAfter(now.minus(options.orphanTimeout()))
        || beat == null
        || beat.isBefore(now.minus(options.heartbeatInterval().multipliedBy(3)))) {
      // Not connected steadily for a whole lease: if this agent was cut off, the others probably
      // were too and have not renewed yet. Give them a lease's time before judging them.
      return;
    }
    synchronized (adoptionLock) {
      for (FlowRun run : backend.runs().expiredLeases(launcher.kind(), now)) {
        if (!isSupervised(run.id()) && LabelRule.agentTakes(options.labels(), run.labels())) {
          adopt(run, ownerDescription(run) + " stopped renewing its lease");
        }
      }
    }
  }

  private String ownerDescription(FlowRun run) {
    if (run.agentId().equals(id)) {
      return "this agent (" + options.name() + ")";
    }
    return backend
        .agents()
        .find(run.agentId())
        .map(owner -> "agent " + owner.name() + " (" + owner.id() + ")")
        .orElse("agent " + run.agentId());
  }

  /**
   * At start: the infrastructure of this launcher's kind that outlived its agent (for example this
   * agent's previous process, killed) is re-attached or finalized.
   */
  private void adoptLeftInfrastructure() {
    Instant stale = Instant.now().minus(options.orphanTimeout());
    synchronized (adoptionLock) {
      for (Infrastructure infra : launcher.discover()) {
        try {
          FlowRun run = backend.runs().find(infra.runId()).orElse(null);
          if (run == null
              || !run.state().isActive()
              || run.attempt() != infra.attempt()
              || run.agentId() == null
              || !LabelRule.agentTakes(options.labels(), run.labels())) {
            continue; // not ours to adopt; the reconciler removes what belongs to ended runs
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
  }

  /** Hands the run to this agent, then re-attaches to its infrastructure or ends it. */
  private void adopt(FlowRun run, String why) {
    Optional<RunFence> fence =
        backend
            .runs()
            .adopt(
                run.fence(),
                id,
                "adopted by agent " + options.name() + ": " + why,
                Instant.now().plus(options.orphanTimeout()));
    if (fence.isEmpty()) {
      return; // it moved on meanwhile, or another agent adopted it first
    }
    takeOver(backend.runs().find(run.id()).orElseThrow(), why);
  }

  /**
   * Supervises a run of this agent's that nobody supervises: re-attaches to its infrastructure if
   * the launcher finds it; else the run ends (Crashed, or scheduled again while its
   * infrastructure-retry budget lasts; Cancelled if a cancel was requested).
   */
  private void takeOver(FlowRun run, String why) {
    RunFence fence = run.fence();
    Instant storedUpTo = backend.runs().latestLogAt(run.id()).orElse(null);
    RunReporter reporter =
        new RunReporter(
            backend.runs(), fence, new Redactor(planner.secretValuesFor(run).values()), storedUpTo);
    Supervised supervised = new Supervised(run, reporter);
    active.put(run.id(), supervised);
    Optional<RunExecution> execution = launcher.find(run.id(), run.attempt(), storedUpTo, reporter);
    if (execution.isEmpty()) {
      endWithoutInfrastructure(run, reporter, why);
      release(supervised);
      return;
    }
    reporter.agentLog("INFO", "re-attached by agent " + options.name() + " (" + why + ")");
    supervised.execution = execution.get();
    execution.get().exit().whenComplete((report, error) -> finish(supervised, report, error));
    log.info("run {} re-attached ({})", run.id(), why);
  }

  /**
   * Ends a run whose infrastructure the launcher cannot find. A Submitted run never reported that
   * it started (its claim may have committed unseen, or its agent died launching it), so it is
   * scheduled again as it is; a Running one crashed; a Cancelling one is Cancelled.
   */
  private void endWithoutInfrastructure(FlowRun run, RunReporter reporter, String why) {
    RunFence fence = run.fence();
    if (run.state() == RunState.Submitted) {
      String message = why + " before run " + run.id() + " started; scheduled again";
      reporter.agentLog("WARN", message);
      reporter.flush();
      if (backend.runs().transition(fence, RunState.Scheduled, message)) {
        log.warn("{}", message);
      }
      return;
    }
    String message = why + " before run " + run.id() + " ended; its infrastructure is gone";
    reporter.agentLog("ERROR", message);
    reporter.flush();
    recordOutcome(
        run,
        fence,
        run.state() == RunState.Cancelling
            ? new FinalState(RunState.Cancelled, "cancelled by request; " + message)
            : new FinalState(RunState.Crashed, message));
  }

  private boolean isSupervised(String runId) {
    return active.containsKey(runId) || launching.contains(runId);
  }

  /**
   * Reconciliation both ways: infrastructure whose run ended, was scheduled again or moved to a
   * newer attempt is removed; runs of this agent that it does not supervise are re-attached, or
   * ended when their infrastructure is gone.
   */
  private void reconcile() {
    synchronized (adoptionLock) {
      removeLeftoverInfrastructure();
      takeOverUnsupervisedRuns();
    }
  }

  private void removeLeftoverInfrastructure() {
    for (Infrastructure infra : launcher.discover()) {
      Optional<FlowRun> run = backend.runs().find(infra.runId());
      if (run.isEmpty()) {
        continue; // not a run of this database (another installation's): not ours to remove
      }
      String reason = leftoverReason(run.get(), infra);
      if (reason == null) {
        continue;
      }
      try {
        launcher.remove(infra);
        if (!reportedRemovals.add(infra.id())) {
          continue; // still listed while the platform deletes it: said once is enough
        }
        if (reportedRemovals.size() > 10_000) {
          reportedRemovals.clear();
        }
        log.info(
            "removed {} infrastructure {} of run {} (attempt {}): {}",
            launcher.kind(),
            infra.id(),
            infra.runId(),
            infra.attempt(),
            reason);
      } catch (RuntimeException e) {
        log.warn(
            "could not remove {} infrastructure {} of run {}: {}",
            launcher.kind(),
            infra.id(),
            infra.runId(),
            oneLine(e));
      }
    }
  }

  /** Why the infrastructure of {@code infra}'s attempt is no longer needed, or null if it is. */
  static String leftoverReason(FlowRun run, Infrastructure infra) {
    if (run.state().isTerminal()) {
      return "its run ended " + run.state();
    }
    if (run.attempt() > infra.attempt()) {
      return "its run is at attempt " + run.attempt() + " now";
    }
    if (run.state() == RunState.Scheduled) {
      return "its run was scheduled again after this attempt";
    }
    return null;
  }

  private void takeOverUnsupervisedRuns() {
    List<FlowRun> mine;
    synchronized (claimLock) {
      // Under the claim lock: a run claimed before this read is already in launching.
      mine = backend.runs().runsOfAgent(id, List.of(RunState.Submitted, RunState.Running));
    }
    for (FlowRun run : mine) {
      if (!isSupervised(run.id())) {
        takeOver(run, "agent " + options.name() + " no longer supervised the run");
      }
    }
  }

  private void schedule(String name, Duration every, Runnable task) {
    tasks.scheduleWithFixedDelay(
        () -> runTask(name, task), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs one pass of a named task inside its own error boundary. */
  private static void runTask(String name, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("agent task '{}' failed: {}", name, oneLine(e));
    }
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
    if (!active.isEmpty() && launcher.infrastructureOutlivesAgent()) {
      // A rollout or restart must not kill runs the next agent can adopt.
      log.info(
          "leaving {} runs running after the grace period; the next {} agent adopts them",
          active.size(),
          launcher.kind());
      active.values().forEach(s -> s.reporter.flush());
      leftForAdoption.addAll(active.keySet());
      active.clear();
    } else if (!active.isEmpty()) {
      log.warn("stopping {} runs still running after the grace period", active.size());
      active.keySet().forEach(runId -> launcher.cancel(runId, Duration.ofSeconds(5)));
      waitForActive(Duration.ofSeconds(15));
    }
    signals.close();
    tasks.shutdownNow();
    heartbeats.shutdownNow();
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

  /** A run this agent supervises: one attempt, under the fence of {@link #run}. */
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
