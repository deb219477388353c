package dev.gantry.launch;

import dev.gantry.domain.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A launcher held to its agent's bounds: a run whose flow asks for more than the agent's {@link
 * LaunchPolicy} allows fails at launch with one line naming the setting and the limit, and a run
 * still going at its run timeout is stopped and ends timed out, also when another agent (or this
 * one's next process) finds it again ({@link #holdToTimeout}). Everything else is the wrapped
 * launcher's.
 */
public final class BoundedLauncher implements Launcher {
  private final Launcher launcher;
  private final LaunchPolicy policy;
  private final Duration stopGrace;
  private final RunDeadlines deadlines = new RunDeadlines();

  /**
   * @param stopGrace how long a timed-out run may take to stop before it is killed
   */
  public BoundedLauncher(Launcher launcher, LaunchPolicy policy, Duration stopGrace) {
    this.launcher = launcher;
    this.policy = policy;
    this.stopGrace = stopGrace;
  }

  public LaunchPolicy policy() {
    return policy;
  }

  @Override
  public String kind() {
    return launcher.kind();
  }

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    Optional<String> refusal = policy.refusal(launcher.asked(request), request.image());
    if (refusal.isPresent()) {
      throw new LaunchException(
          "run "
              + request.runId()
              + " of flow '"
              + request.flow().name()
              + "' refused by agent policy: "
              + refusal.get(),
          RunState.Failed,
          "RunSettingRefused",
          null);
    }
    RunExecution execution = launcher.launch(request, output);
    Optional<Duration> timeout = request.flow().runConfig().runTimeout();
    return timeout.isEmpty()
        ? execution
        : bound(request.runId(), execution, timeout.get(), timeout.get());
  }

  /**
   * Holds a run this agent found again (adopted from an agent that is gone, or its own previous
   * process's) to its run timeout, counted from when the run started, not from now: a run already
   * past it is stopped at once and ends timed out.
   *
   * @param startedAt when the run started, or null when it never reported it (the whole timeout
   *     from now)
   * @param now the agent's clock's now
   */
  public RunExecution holdToTimeout(
      RunExecution execution, Duration timeout, Instant startedAt, Instant now) {
    Duration elapsed =
        startedAt == null || startedAt.isAfter(now)
            ? Duration.ZERO
            : Duration.between(startedAt, now);
    return bound(execution.runId(), execution, timeout, timeout.minus(elapsed));
  }

  /**
   * Stops the run after {@code remaining} and has its exit say it timed out after {@code timeout}.
   */
  private RunExecution bound(
      String runId, RunExecution execution, Duration timeout, Duration remaining) {
    ScheduledFuture<?> deadline =
        deadlines.arm(runId, remaining, () -> launcher.cancel(runId, stopGrace));
    CompletableFuture<ExitReport> exit =
        execution
            .exit()
            .thenApply(
                report -> {
                  deadline.cancel(false);
                  return deadlines.takeTimedOut(runId) ? report.timedOutAfter(timeout) : report;
                });
    return new RunExecution() {
      @Override
      public String runId() {
        return runId;
      }

      @Override
      public CompletableFuture<ExitReport> exit() {
        return exit;
      }
    };
  }

  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    return launcher.find(runId, attempt, outputSince, output);
  }

  @Override
  public List<Infrastructure> discover() {
    return launcher.discover();
  }

  @Override
  public void cancel(String runId, Duration grace) {
    launcher.cancel(runId, grace);
  }

  @Override
  public void remove(Infrastructure infrastructure) {
    launcher.remove(infrastructure);
  }

  @Override
  public void prepare() {
    launcher.prepare();
  }

  @Override
  public boolean infrastructureOutlivesAgent() {
    return launcher.infrastructureOutlivesAgent();
  }

  @Override
  public dev.gantry.catalog.RunConfig asked(LaunchRequest request) {
    return launcher.asked(request);
  }

  @Override
  public boolean isPlatformReachable() {
    return launcher.isPlatformReachable();
  }

  @Override
  public void close() {
    deadlines.close();
    launcher.close();
  }
}
