package dev.gantry.domain;

import java.util.Set;

/**
 * Prefect 0.x's label rule: an agent takes a run only if every label of the run is among the
 * agent's labels; a run without labels goes only to agents without labels.
 */
public final class LabelRule {
  private LabelRule() {}

  public static boolean agentTakes(Set<String> agentLabels, Set<String> runLabels) {
    if (runLabels.isEmpty()) {
      return agentLabels.isEmpty();
    }
    return agentLabels.containsAll(runLabels);
  }
}
