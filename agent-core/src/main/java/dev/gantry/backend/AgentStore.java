package dev.gantry.backend;

import dev.gantry.domain.AgentInfo;
import dev.gantry.launch.LaunchPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One row per agent process, renewed by its heartbeat. */
public interface AgentStore {

  /** Records a starting agent (its heartbeatAt = startedAt) that publishes no policy. */
  default void register(AgentInfo agent) {
    register(agent, null);
  }

  /**
   * Records a starting agent (its heartbeatAt = startedAt) with the policy its launcher enforces,
   * so other processes can tell which agents would refuse a run ({@code run explain}).
   *
   * @param policy what the agent lets its runs ask for, or null when it publishes none
   */
  void register(AgentInfo agent, LaunchPolicy policy);

  /** Renews the agent's heartbeat and its count of supervised runs. */
  void heartbeat(String agentId, Instant at, int running);

  void markStopped(String agentId, Instant at);

  Optional<AgentInfo> find(String agentId);

  /** All agents, most recent heartbeat first. */
  List<AgentInfo> list();

  /** The published policy of every agent that has one, by agent id. */
  Map<String, LaunchPolicy> policies();
}
