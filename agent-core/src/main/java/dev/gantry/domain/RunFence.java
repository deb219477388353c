package dev.gantry.domain;

import java.util.Objects;

/**
 * Identifies one attempt of a run by one agent. Stores refuse a write whose fence is not the run's
 * current (attempt, agent), so an agent presumed dead cannot overwrite the run's new owner.
 */
public record RunFence(String runId, int attempt, String agentId) {
  public RunFence {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(agentId, "agentId");
  }
}
