package dev.gantry.supervision;

import dev.gantry.backend.AgentStore;
import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat: renews the agent's row and, in one statement, the leases of the runs it holds. A
 * run whose lease was not renewed was taken from it (adopted while this agent was cut off, or
 * scheduled again): it stops supervising it. Also tells the orphan reaper whether this agent's
 * connection has been steady long enough to judge other agents' leases.
 */
public final class Heartbeat implements AgentTask {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final RunStore runs;
  private final AgentStore agents;
  private final SupervisedRuns supervised;
  private final String agentId;
  private final Duration interval;
  private final Duration lease;
  private final Clock clock;

  /**
   * Since when this agent's heartbeats have succeeded promptly, one after the other (null after a
   * failed one): the reaper judges other agents' leases only after a whole lease of this.
   */
  private volatile Instant connectedSince;

  /** When this agent's heartbeat last succeeded. */
  private volatile Instant lastBeat;

  /**
   * @param interval how often it beats
   * @param lease how long each renewal holds a run (the agent's orphan timeout)
   */
  public Heartbeat(
      RunStore runs,
      AgentStore agents,
      SupervisedRuns supervised,
      String agentId,
      Duration interval,
      Duration lease,
      Clock clock) {
    this.runs = runs;
    this.agents = agents;
    this.supervised = supervised;
    this.agentId = agentId;
    this.interval = interval;
    this.lease = lease;
    this.clock = clock;
  }

  /** When this agent's heartbeat last succeeded, or null before it registered. */
  public Instant lastBeat() {
    return lastBeat;
  }

  @Override
  public String name() {
    return "heartbeat";
  }

  /** Records that the agent registered (its first heartbeat) at {@code at}. */
  public void registered(Instant at) {
    connectedSince = at;
    lastBeat = at;
  }

  @Override
  public void runOnce() {
    Instant now = clock.instant();
    Set<String> held = supervised.held();
    Set<String> renewed;
    try {
      renewed = runs.renewLeases(agentId, held, lease);
      agents.heartbeat(agentId, now, supervised.activeCount());
    } catch (RuntimeException e) {
      connectedSince = null;
      throw e;
    }
    Instant done = clock.instant();
    lastBeat = done;
    if (connectedSince == null || Duration.between(now, done).compareTo(interval) > 0) {
      // A heartbeat that had to wait (for a connection, say) starts the streak over.
      connectedSince = done;
    }
    for (String runId : held) {
      if (!renewed.contains(runId)) {
        letGoIfTaken(runId);
      }
    }
  }

  /**
   * Whether heartbeats have succeeded steadily for a whole lease up to {@code now}, the last one
   * recently. If not and this agent was cut off, the others probably were too and have not renewed
   * yet.
   */
  public boolean steadyForALease(Instant now) {
    Instant since = connectedSince;
    Instant beat = lastBeat;
    return since != null
        && !since.isAfter(now.minus(lease))
        && beat != null
        && !beat.isBefore(now.minus(interval.multipliedBy(3)));
  }

  /** Stops supervising a run whose current attempt is no longer this agent's. */
  private void letGoIfTaken(String runId) {
    SupervisedRun run = supervised.get(runId);
    if (run == null) {
      return;
    }
    FlowRun current = runs.find(runId).orElse(null);
    if (current != null
        && current.attempt() == run.run().attempt()
        && agentId.equals(current.agentId())) {
      return; // still ours, just no longer active: its end is being recorded
    }
    log.warn(
        "run {} (attempt {}) is no longer this agent's ({}); it stops supervising it",
        runId,
        run.run().attempt(),
        current == null
            ? "it was deleted"
            : current.agentId() == null
                ? "it is " + current.state() + " again"
                : "agent " + current.agentId() + " holds attempt " + current.attempt());
    supervised.release(run);
  }
}
