package dev.gantry.docker;

import dev.gantry.launch.ExitReport;
import dev.gantry.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises the container of one run attempt until its end: follows its output (resuming a broken
 * stream), reads the engine's events about it (die, oom, destroy), asks the engine when its end may
 * have gone unreported, and once the end is known and the output read, decides its {@link
 * ExitReport}, completes the run and removes the container (for a cancelled run: removes first, so
 * it is gone when the run becomes Cancelled). Holds no thread: it reacts to events, output and
 * timers.
 */
final class ContainerSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ContainerSupervisor.class);

  /**
   * How long the supervisor waits for what may follow.
   *
   * @param settle after a die event, how long to wait for the destroy or oom event that may follow
   * @param outputWait after a die event, how long the rest of the output may take
   * @param exitProbe after the output ended without a die event, when to ask the engine whether the
   *     container exited (five times that after a failed question)
   */
  record Timings(Duration settle, Duration outputWait, Duration exitProbe) {
    static final Timings DEFAULT =
        new Timings(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(1));
  }

  private final ContainerRun run;
  private final ContainerEngine engine;
  private final LogStreams logs;
  private final Timers timers;
  private final WatchedContainers watched;
  private final Runnable afterEnd;
  private final Timings timings;
  // Resuming a broken output stream: 1 s, doubling to 30 s, reset once the output ends cleanly.
  private final Backoff outputRetry =
      Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)).withJitter(0);

  /**
   * @param afterEnd what to release once the run completed (its bundle copy)
   */
  ContainerSupervisor(
      ContainerRun run,
      ContainerEngine engine,
      LogStreams logs,
      Timers timers,
      WatchedContainers watched,
      Runnable afterEnd,
      Timings timings) {
    this.run = run;
    this.engine = engine;
    this.logs = logs;
    this.timers = timers;
    this.watched = watched;
    this.afterEnd = afterEnd;
    this.timings = timings;
  }

  ContainerRun run() {
    return run;
  }

  /** Starts following the container's output from its beginning. */
  void startFollowing() {
    follow(null, true);
  }

  /** Stops following the output; the container keeps running. */
  void stopFollowing() {
    run.stopFollowing();
  }

  /** Takes over an existing container in the state the engine reported for it. */
  void adopt(ContainerState state) {
    if (state.oomKilled()) {
      run.oomKilled();
    }
    if (!state.running()) {
      run.died(state.exitCode());
      scheduleFinishChecks();
    }
  }

  private boolean active() {
    return !watched.isClosed() && watched.isWatched(this);
  }

  // ---- output -------------------------------------------------------------------------------

  /** Reads the container's output: following it, or (after it stopped) what remains. */
  private void follow(Instant since, boolean following) {
    run.following(
        logs.read(
            run.containerId,
            since,
            following,
            new LogStreams.Listener() {
              @Override
              public void line(Instant at, String line) {
                run.deliver(at, line);
              }

              @Override
              public void ended(Throwable error) {
                onOutputEnded(error, following);
              }
            }));
  }

  private void onOutputEnded(Throwable error, boolean wasFollowing) {
    if (!active()) {
      return;
    }
    if (LogStreams.containerGone(error)) {
      run.removedFromOutside();
      run.markOutputEnded();
      maybeFinish();
      return;
    }
    if (error != null) {
      Duration wait;
      synchronized (outputRetry) {
        wait = outputRetry.nextDelay();
      }
      log.warn(
          "{}: reading its output failed ({}); resuming in {} ms",
          run,
          EngineErrors.message(error),
          wait.toMillis());
      timers.after(
          wait,
          () -> {
            if (active()) {
              follow(run.resumePoint(), true);
            }
          });
      return;
    }
    synchronized (outputRetry) {
      outputRetry.reset();
    }
    if (wasFollowing) {
      // The engine can end a followed stream before the last lines of a stopping container;
      // read the rest once more, skipping what was delivered.
      follow(run.resumePoint(), false);
      return;
    }
    run.markOutputEnded();
    if (!run.hasDied()) {
      timers.after(timings.exitProbe(), () -> timers.now(this::probe));
    }
    maybeFinish();
  }

  // ---- the engine's word --------------------------------------------------------------------

  /** An event of the engine about this container. */
  void onEvent(EngineEvent event) {
    switch (event.action()) {
      case "oom" -> run.oomKilled();
      case "die" -> {
        if (run.died(event.exitCode())) {
          scheduleFinishChecks();
        }
      }
      case "destroy" -> {
        run.removedFromOutside();
        scheduleFinishChecks();
        maybeFinish();
      }
      default -> {
        // other events are not subscribed to
      }
    }
  }

  /** The event stream was re-established after a break: asks whether the container ended. */
  void reconnected() {
    timers.now(this::probe);
  }

  /** Asks the engine about a container whose end may have gone unreported. */
  void probe() {
    if (!active()) {
      return;
    }
    try {
      Optional<ContainerState> state = engine.inspect(run.containerId);
      if (state.isEmpty()) {
        run.removedFromOutside();
        scheduleFinishChecks();
      } else {
        if (state.get().oomKilled()) {
          run.oomKilled();
        }
        if (!state.get().running() && run.died(state.get().exitCode())) {
          scheduleFinishChecks();
        }
      }
    } catch (RuntimeException e) {
      log.warn("{}: inspecting it failed ({}); trying again", run, EngineErrors.message(e));
      timers.after(timings.exitProbe().multipliedBy(5), () -> timers.now(this::probe));
      return;
    }
    maybeFinish();
  }

  // ---- cancel -------------------------------------------------------------------------------

  /** SIGTERM now (the bootstrap stops its tasks and reports Cancelled), SIGKILL after grace. */
  void cancel(Duration grace) {
    run.requestCancel();
    timers.now(() -> signal("SIGTERM"));
    timers.after(
        grace,
        () -> {
          if (watched.isWatched(this) && !run.hasDied()) {
            log.warn("{} did not stop within {} s; killing it", run, grace.toSeconds());
            timers.now(() -> signal("SIGKILL"));
          }
        });
  }

  private void signal(String signal) {
    try {
      engine.signal(run.containerId, signal);
    } catch (RuntimeException e) {
      log.warn("{}: sending {} failed: {}", run, signal, EngineErrors.message(e));
    }
  }

  // ---- the end ------------------------------------------------------------------------------

  private void scheduleFinishChecks() {
    timers.after(timings.settle(), this::maybeFinish);
    timers.after(timings.outputWait(), this::maybeFinish);
  }

  private void maybeFinish() {
    if (run.claimFinish(timings.settle().toNanos(), timings.outputWait().toNanos())) {
      timers.now(this::finish);
    }
  }

  /** Decides the exit report, completes the run, removes the container. */
  private void finish() {
    if (!run.outputEnded()) {
      log.warn(
          "{}: its output did not end within {} s of its exit",
          run,
          timings.outputWait().toSeconds());
    }
    run.stopFollowing();
    ExitReport report = exitReport();
    try {
      if (run.cancelRequested()) {
        engine.remove(run.containerId);
        run.complete(report);
      } else {
        run.complete(report);
        engine.remove(run.containerId);
      }
    } finally {
      afterEnd.run();
      watched.forget(this);
    }
    log.debug("{} ended: {}", run, report.describe());
  }

  private ExitReport exitReport() {
    Integer code = run.exitCodeFromEvents();
    boolean oom = run.oomFromEvents();
    boolean removed = run.isRemovedFromOutside();
    Long memory = null;
    if (!removed) {
      try {
        Optional<ContainerState> inspected = engine.inspect(run.containerId);
        if (inspected.isEmpty()) {
          removed = true;
        } else {
          ContainerState state = inspected.get();
          oom |= state.oomKilled();
          if (state.exitCode() != null) {
            code = state.exitCode();
          }
          removed = state.beingRemoved();
          memory = state.memoryBytes();
        }
      } catch (RuntimeException e) {
        log.warn("{}: inspecting its end failed: {}", run, EngineErrors.message(e));
      }
    }
    String reason = null;
    if (oom) {
      reason =
          "OOMKilled: container "
              + run.shortId()
              + " exceeded its memory limit"
              + (memory != null && memory > 0 ? " of " + (memory / (1024 * 1024)) + " MiB" : "");
    } else if (removed && !run.cancelRequested()) {
      reason =
          "container "
              + run.shortId()
              + " of run "
              + run.runId
              + " was removed from outside the agent";
    }
    return new ExitReport(code == null ? -1 : code, reason);
  }

  @Override
  public String toString() {
    return run.toString();
  }
}
