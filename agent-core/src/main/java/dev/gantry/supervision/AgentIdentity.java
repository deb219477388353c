package dev.gantry.supervision;

import java.util.Set;

/**
 * Who the supervising agent is, as its tasks need it.
 *
 * @param id the agent's id (its runs' agentId)
 * @param name its readable name, for messages
 * @param labels the labels it covers: it only takes runs whose labels are all among these
 */
public record AgentIdentity(String id, String name, Set<String> labels) {
  public AgentIdentity {
    labels = Set.copyOf(labels);
  }
}
