package dev.gantry.explain;

import dev.gantry.domain.AgentInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an agent's labels fit a run's under Prefect 0.x's rule: the agent takes the run only if it
 * has every label of the run, and a run without labels only if it has none itself.
 *
 * @param missing the run's labels the agent lacks
 * @param forbidden the agent's labels that keep it from a run without labels
 */
public record LabelFit(AgentInfo agent, Set<String> missing, Set<String> forbidden) {

  public LabelFit {
    missing = Set.copyOf(missing);
    forbidden = Set.copyOf(forbidden);
  }

  public static LabelFit of(AgentInfo agent, Set<String> runLabels) {
    Set<String> missing = new TreeSet<>(runLabels);
    missing.removeAll(agent.labels());
    Set<String> forbidden = runLabels.isEmpty() ? new TreeSet<>(agent.labels()) : Set.of();
    return new LabelFit(agent, missing, forbidden);
  }

  /** The fits of all agents, those that take the run first, then the closest ones. */
  public static List<LabelFit> rank(Set<String> runLabels, Collection<AgentInfo> agents) {
    return agents.stream()
        .map(agent -> of(agent, runLabels))
        .sorted(
            Comparator.comparingInt(LabelFit::distance)
                .thenComparing(fit -> fit.agent().heartbeatAt(), Comparator.reverseOrder())
                .thenComparing(fit -> fit.agent().name()))
        .toList();
  }

  /** Whether the agent takes the run. */
  public boolean takes() {
    return missing.isEmpty() && forbidden.isEmpty();
  }

  /** How many labels stand between the agent and the run. */
  public int distance() {
    return missing.size() + forbidden.size();
  }

  /**
   * Whether the agent is running: not stopped, and its heartbeat no older than {@code staleAfter}.
   */
  public static boolean isLive(AgentInfo agent, Instant now, Duration staleAfter) {
    return agent.stoppedAt() == null && !agent.heartbeatAt().isBefore(now.minus(staleAfter));
  }

  /** "local@vm (labels a,b) lacks s3-flow-storage", for messages. */
  public String describe() {
    StringBuilder out = new StringBuilder(agent.name()).append(" (labels ");
    out.append(agent.labels().isEmpty() ? "none" : String.join(",", new TreeSet<>(agent.labels())));
    out.append(")");
    Set<String> reasons = new LinkedHashSet<>();
    if (!missing.isEmpty()) {
      reasons.add("lacks " + String.join(", ", new TreeSet<>(missing)));
    }
    if (!forbidden.isEmpty()) {
      reasons.add(
          "has "
              + String.join(", ", new TreeSet<>(forbidden))
              + ", and a run without labels goes only to agents without labels");
    }
    if (reasons.isEmpty()) {
      reasons.add("takes it");
    }
    return out.append(' ').append(String.join("; ", reasons)).toString();
  }
}
