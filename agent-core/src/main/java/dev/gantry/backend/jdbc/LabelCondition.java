package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.parameterMarks;

import java.util.List;
import java.util.Set;

/**
 * The label rule in SQL for runs aliased {@code r}: an agent without labels gets only runs without
 * labels; an agent with labels gets runs that have labels, none of them missing from the agent's
 * (never an unlabelled run).
 */
record LabelCondition(String sql, List<Object> params) {

  static LabelCondition of(Set<String> agentLabels) {
    if (agentLabels.isEmpty()) {
      return new LabelCondition(
          "NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)", List.of());
    }
    return new LabelCondition(
        "EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)"
            + " AND NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id"
            + " AND l.label NOT IN ("
            + parameterMarks(agentLabels.size())
            + "))",
        List.copyOf(agentLabels));
  }
}
