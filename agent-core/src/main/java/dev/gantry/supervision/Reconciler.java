package dev.gantry.supervision;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.Launcher;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciler, both ways: infrastructure whose run ended, was scheduled again or moved to a
 * newer attempt is removed; runs of this agent that it does not supervise are re-attached, or ended
 * when their infrastructure is gone.
 */
public final class Reconciler implements AgentTask {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final RunStore runs;
  private final Launcher launcher;
  private final SupervisedRuns supervised;
  private final RunTakeover takeover;
  private final AgentIdentity agent;

  /** Infrastructure whose removal was already logged (platforms may list it while deleting). */
  private final Set<String> reportedRemovals = ConcurrentHashMap.newKeySet();

  public Reconciler(
      RunStore runs,
      Launcher launcher,
      SupervisedRuns supervised,
      RunTakeover takeover,
      AgentIdentity agent) {
    this.runs = runs;
    this.launcher = launcher;
    this.supervised = supervised;
    this.takeover = takeover;
    this.agent = agent;
  }

  @Override
  public String name() {
    return "reconciler";
  }

  @Override
  public void runOnce() {
    supervised.exclusively(
        () -> {
          removeLeftoverInfrastructure();
          takeOverUnsupervisedRuns();
        });
  }

  private void removeLeftoverInfrastructure() {
    for (Infrastructure infra : launcher.discover()) {
      Optional<FlowRun> run = runs.find(infra.runId());
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
    List<FlowRun> mine =
        supervised.betweenClaims(
            () -> runs.runsOfAgent(agent.id(), List.of(RunState.Submitted, RunState.Running)));
    for (FlowRun run : mine) {
      if (!supervised.isSupervised(run.id())) {
        takeover.takeOver(run, "agent " + agent.name() + " no longer supervised the run");
      }
    }
  }
}
