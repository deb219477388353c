package dev.gantry.supervision;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.RunExecution;
import dev.gantry.tracing.RunLogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over a run nobody supervises (adopted from another agent, or this agent's own): re-attaches
 * to its infrastructure when the launcher finds it, else ends it as its state says. Callers hold
 * {@link SupervisedRuns#exclusively}.
 */
public final class RunTakeover {
  private static final Logger log = LoggerFactory.getLogger(RunTakeover.class);

  private final RunStore runs;
  private final Launcher launcher;
  private final SupervisedRuns supervised;
  private final EndRecorder ends;
  private final RunSecrets secrets;
  private final AgentIdentity agent;
  private final Duration lease;
  private final Clock clock;
  private final AdoptedRunTimeouts timeouts;

  /**
   * @param lease the lease an adopted run gets (the agent's orphan timeout)
   */
  public RunTakeover(
      RunStore runs,
      Launcher launcher,
      SupervisedRuns supervised,
      EndRecorder ends,
      RunSecrets secrets,
      AgentIdentity agent,
      Duration lease,
      Clock clock) {
    this(runs, launcher, supervised, ends, secrets, agent, lease, clock, AdoptedRunTimeouts.NONE);
  }

  /**
   * @param lease the lease an adopted run gets (the agent's orphan timeout)
   * @param timeouts arms the run timeout of a run found again, from when it started
   */
  public RunTakeover(
      RunStore runs,
      Launcher launcher,
      SupervisedRuns supervised,
      EndRecorder ends,
      RunSecrets secrets,
      AgentIdentity agent,
      Duration lease,
      Clock clock,
      AdoptedRunTimeouts timeouts) {
    this.runs = runs;
    this.launcher = launcher;
    this.supervised = supervised;
    this.ends = ends;
    this.secrets = secrets;
    this.agent = agent;
    this.lease = lease;
    this.clock = clock;
    this.timeouts = timeouts;
  }

  /** Hands the run to this agent, then re-attaches to its infrastructure or ends it. */
  public void adopt(FlowRun run, String why) {
    Optional<RunFence> fence =
        runs.adopt(
            run.fence(),
            agent.id(),
            "adopted by agent " + agent.name() + ": " + why,
            clock.instant().plus(lease));
    if (fence.isEmpty()) {
      return; // it moved on meanwhile, or another agent adopted it first
    }
    takeOver(runs.find(run.id()).orElseThrow(), why);
  }

  /**
   * Supervises a run of this agent's that nobody supervises: re-attaches to its infrastructure if
   * the launcher finds it; else the run ends (Crashed, or scheduled again while its
   * infrastructure-retry budget lasts; Cancelled if a cancel was requested).
   */
  public void takeOver(FlowRun run, String why) {
    // Its lines carry the run's fields; the end recorder takes them over.
    try (RunLogFields fields = RunLogFields.open(RunLogFields.of(run, launcher.kind()))) {
      superviseTaken(run, why);
    }
  }

  private void superviseTaken(FlowRun run, String why) {
    Instant storedUpTo = runs.latestLogAt(run.id()).orElse(null);
    RunReporter reporter =
        new RunReporter(
            runs, run.fence(), new Redactor(secrets.valuesFor(run).values()), storedUpTo);
    SupervisedRun taken = new SupervisedRun(run, reporter);
    supervised.supervise(taken);
    Optional<RunExecution> execution = launcher.find(run.id(), run.attempt(), storedUpTo, reporter);
    if (execution.isEmpty()) {
      endWithoutInfrastructure(run, reporter, why);
      supervised.release(taken);
      return;
    }
    reporter.agentLog("INFO", "re-attached by agent " + agent.name() + " (" + why + ")");
    ends.recordWhenEnded(taken, heldToTimeout(run, execution.get()));
    log.info("run {} re-attached ({})", run.id(), why);
  }

  private RunExecution heldToTimeout(FlowRun run, RunExecution execution) {
    try {
      return timeouts.hold(run, execution);
    } catch (RuntimeException e) {
      log.warn(
          "run {} re-attached without its run timeout: cannot read its flow version: {}",
          run.id(),
          oneLine(e));
      return execution;
    }
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
      reporter.drain();
      if (runs.transition(fence, RunState.Scheduled, message)) {
        log.warn("{}", message);
      }
      return;
    }
    String message = why + " before run " + run.id() + " ended; its infrastructure is gone";
    reporter.agentLog("ERROR", message);
    reporter.drain();
    ends.recordOutcome(
        run,
        fence,
        run.state() == RunState.Cancelling
            ? new FinalState(RunState.Cancelled, "cancelled by request; " + message)
            : new FinalState(RunState.Crashed, message));
  }
}
