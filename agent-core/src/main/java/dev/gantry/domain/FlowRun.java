package dev.gantry.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One run of a registered flow version.
 *
 * @param attempt how many times an agent has claimed the run; 0 while never claimed. Every write an
 *     agent makes about the run carries it (see {@link RunFence}).
 * @param agentId the agent that claimed the current attempt, or null
 * @param message the reason of the latest state, one line, or null
 */
public record FlowRun(
    String id,
    long flowId,
    String flowName,
    int flowVersion,
    RunState state,
    Set<String> labels,
    Map<String, String> parameters,
    int attempt,
    String agentId,
    Instant scheduledAt,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant endedAt,
    String message) {

  public FlowRun {
    labels = Set.copyOf(labels);
    parameters = Map.copyOf(parameters);
  }

  /** The fence for writes about the current attempt of this run. */
  public RunFence fence() {
    return new RunFence(id, attempt, agentId);
  }
}
