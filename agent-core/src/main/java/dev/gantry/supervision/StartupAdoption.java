package dev.gantry.supervision;

import static dev.gantry.supervision.Failures.oneLine;

import dev.gantry.backend.AgentStore;
import dev.gantry.backend.RunStore;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LabelRule;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.Launcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adoption at start: the infrastructure of this launcher's kind that outlived its agent (for
 * example this agent's previous process, killed) is re-attached or finalized. One run that cannot
 * be adopted is logged and skipped.
 */
public final class StartupAdoption implements AgentTask {
  private static final Logger log = LoggerFactory.getLogger(StartupAdoption.class);

  private final RunStore runs;
  private final AgentStore agents;
  private final Launcher launcher;
  private final SupervisedRuns supervised;
  private final RunTakeover takeover;
  private final AgentIdentity agent;
  private final Duration lease;
  private final Clock clock;

  /**
   * @param lease how long an owner may be silent before it counts as gone (the orphan timeout)
   */
  public StartupAdoption(
      RunStore runs,
      AgentStore agents,
      Launcher launcher,
      SupervisedRuns supervised,
      RunTakeover takeover,
      AgentIdentity agent,
      Duration lease,
      Clock clock) {
    this.runs = runs;
    this.agents = agents;
    this.launcher = launcher;
    this.supervised = supervised;
    this.takeover = takeover;
    this.agent = agent;
    this.lease = lease;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "startup adoption";
  }

  @Override
  public void runOnce() {
    Instant stale = clock.instant().minus(lease);
    supervised.exclusively(
        () -> {
          for (Infrastructure infra : launcher.discover()) {
            try {
              adoptIfOwnerGone(infra, stale);
            } catch (RuntimeException e) {
              log.warn("could not adopt run {}: {}", infra.runId(), oneLine(e));
            }
          }
        });
  }

  private void adoptIfOwnerGone(Infrastructure infra, Instant stale) {
    FlowRun run = runs.find(infra.runId()).orElse(null);
    if (run == null
        || !run.state().isActive()
        || run.attempt() != infra.attempt()
        || run.agentId() == null
        || !LabelRule.agentTakes(agent.labels(), run.labels())) {
      return; // not ours to adopt; the reconciler removes what belongs to ended runs
    }
    AgentInfo owner = agents.find(run.agentId()).orElse(null);
    boolean ownerGone =
        owner == null
            || owner.stoppedAt() != null
            || owner.heartbeatAt().isBefore(stale)
            || owner.name().equals(agent.name()); // our own previous process
    if (ownerGone) {
      takeover.adopt(run, "agent " + (owner == null ? run.agentId() : owner.name()) + " is gone");
    }
  }
}
