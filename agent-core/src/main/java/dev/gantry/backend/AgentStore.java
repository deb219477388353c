package dev.gantry.backend;

import dev.gantry.domain.AgentInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One row per agent process, renewed by its heartbeat. */
public interface AgentStore {

  /** Records a starting agent (its heartbeatAt = startedAt). */
  void register(AgentInfo agent);

  /** Renews the agent's heartbeat and its count of supervised runs. */
  void heartbeat(String agentId, Instant at, int running);

  void markStopped(String agentId, Instant at);

  Optional<AgentInfo> find(String agentId);

  /** All agents, most recent heartbeat first. */
  List<AgentInfo> list();
}
