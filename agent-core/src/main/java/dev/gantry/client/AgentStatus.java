package dev.gantry.client;

import dev.gantry.domain.AgentInfo;
import java.time.Duration;
import java.time.Instant;

/** Whether an agent is alive: stopped, stale (no heartbeat for a while) or alive. */
public enum AgentStatus {
  alive,
  stale,
  stopped;

  /** The agent's status at {@code now}: stale once it has had no heartbeat for staleAfter. */
  public static AgentStatus of(AgentInfo agent, Instant now, Duration staleAfter) {
    if (agent.stoppedAt() != null) {
      return stopped;
    }
    return Duration.between(agent.heartbeatAt(), now).compareTo(staleAfter) > 0 ? stale : alive;
  }
}
