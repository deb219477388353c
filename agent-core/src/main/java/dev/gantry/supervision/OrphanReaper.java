package dev.gantry.supervision;

import dev.gantry.backend.AgentStore;
import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LabelRule;
import java.time.Clock;
import java.time.Instant;

/**
 * The orphan reaper: takes over the runs of agents of this kind whose lease expired, re-attaching
 * to their infrastructure when the launcher finds it, else ending them Crashed (or scheduling them
 * again while their infrastructure-retry budget lasts). It judges only while this agent's own
 * heartbeat has been steady for a whole lease. (Local runs stop with their agent, so theirs are
 * never found.)
 */
public final class OrphanReaper implements AgentTask {
  private final RunStore runs;
  private final AgentStore agents;
  private final String launcherKind;
  private final SupervisedRuns supervised;
  private final Heartbeat heartbeat;
  private final RunTakeover takeover;
  private final AgentIdentity agent;
  private final Clock clock;

  public OrphanReaper(
      RunStore runs,
      AgentStore agents,
      String launcherKind,
      SupervisedRuns supervised,
      Heartbeat heartbeat,
      RunTakeover takeover,
      AgentIdentity agent,
      Clock clock) {
    this.runs = runs;
    this.agents = agents;
    this.launcherKind = launcherKind;
    this.supervised = supervised;
    this.heartbeat = heartbeat;
    this.takeover = takeover;
    this.agent = agent;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "orphan reaper";
  }

  @Override
  public void runOnce() {
    Instant now = clock.instant();
    if (!heartbeat.steadyForALease(now)) {
      // If this agent was cut off, the others probably were too and have not renewed yet. Give
      // them a lease's time before judging them.
      return;
    }
    supervised.exclusively(
        () -> {
          for (FlowRun run : runs.expiredLeases(launcherKind, now)) {
            if (!supervised.isSupervised(run.id())
                && LabelRule.agentTakes(agent.labels(), run.labels())) {
              takeover.adopt(run, ownerDescription(run) + " stopped renewing its lease");
            }
          }
        });
  }

  private String ownerDescription(FlowRun run) {
    if (run.agentId().equals(agent.id())) {
      return "this agent (" + agent.name() + ")";
    }
    return agents
        .find(run.agentId())
        .map(owner -> "agent " + owner.name() + " (" + owner.id() + ")")
        .orElse("agent " + run.agentId());
  }
}
