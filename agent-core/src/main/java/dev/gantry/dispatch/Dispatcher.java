package dev.gantry.dispatch;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.RunExecution;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.supervision.EndRecorder;
import dev.gantry.supervision.FinalState;
import dev.gantry.supervision.Redactor;
import dev.gantry.supervision.RunReporter;
import dev.gantry.supervision.SupervisedRun;
import dev.gantry.supervision.SupervisedRuns;
import dev.gantry.tracing.RunLogFields;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches a claimed run and hands it to supervision; a run that cannot be launched is ended with
 * the reason (or scheduled again when the platform was at fault).
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final RunStore runs;
  private final Launcher launcher;
  private final LaunchPlanner planner;
  private final SupervisedRuns supervised;
  private final EndRecorder ends;
  private final AgentMetrics metrics;

  public Dispatcher(
      RunStore runs,
      Launcher launcher,
      LaunchPlanner planner,
      SupervisedRuns supervised,
      EndRecorder ends) {
    this(runs, launcher, planner, supervised, ends, AgentMetrics.none());
  }

  public Dispatcher(
      RunStore runs,
      Launcher launcher,
      LaunchPlanner planner,
      SupervisedRuns supervised,
      EndRecorder ends,
      AgentMetrics metrics) {
    this.metrics = metrics;
    this.runs = runs;
    this.launcher = launcher;
    this.planner = planner;
    this.supervised = supervised;
    this.ends = ends;
  }

  /** Launches a run claimed through {@link SupervisedRuns#claim}; its launch is then done. */
  public void launch(FlowRun run) {
    long claimedAt = System.nanoTime();
    // Every line about this attempt carries its fields; the end recorder takes them over.
    try (RunLogFields fields = RunLogFields.open(RunLogFields.of(run, launcher.kind()))) {
      LaunchPlanner.Plan plan;
      try {
        plan = planner.plan(run);
      } catch (LaunchException e) {
        failLaunch(run, new RunReporter(runs, run.fence(), Redactor.NONE), e, claimedAt);
        return;
      }
      RunReporter reporter =
          new RunReporter(runs, run.fence(), new Redactor(plan.secretValues().values()));
      reporter.countWith(metrics, run.scheduledAt());
      SupervisedRun launched = new SupervisedRun(run, reporter);
      supervised.supervise(launched);
      try {
        RunExecution execution = launcher.launch(plan.request(), reporter);
        ends.recordWhenEnded(launched, execution);
        metrics.launched(true, Duration.ofNanos(System.nanoTime() - claimedAt));
        log.info("run {} of flow {} launched", run.id(), run.flowName());
      } catch (LaunchException e) {
        supervised.forget(launched);
        failLaunch(run, reporter, e, claimedAt);
      } catch (RuntimeException e) {
        supervised.forget(launched);
        failLaunch(
            run,
            reporter,
            new LaunchException(
                "run " + run.id() + " could not be launched: " + oneLine(e),
                RunState.Crashed,
                "LaunchError",
                e),
            claimedAt);
      }
    } catch (RuntimeException e) {
      // Recording the failed launch failed too: the reconciler ends the run later.
      log.error("run {}: launching it failed: {}", run.id(), oneLine(e));
    } finally {
      supervised.launchDone(run.id());
    }
  }

  private void failLaunch(FlowRun run, RunReporter reporter, LaunchException e, long claimedAt) {
    metrics.launched(false, Duration.ofNanos(System.nanoTime() - claimedAt));
    metrics.launchFailed(e.reasonCode());
    String message = reporter.redact(e.getMessage());
    // Launch errors already name the run ("run ID: ..."); say it once.
    String prefix = "run " + run.id() + ": ";
    log.warn(
        "run {} not launched: {}",
        run.id(),
        message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    reporter.agentLog("ERROR", message);
    reporter.drain();
    ends.recordOutcome(run, run.fence(), new FinalState(e.outcome(), message));
    supervised.wake();
  }
}
