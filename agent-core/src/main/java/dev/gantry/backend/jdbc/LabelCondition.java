package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.parameterMarks;

import java.util.List;
import java.util.Set;

/**
 * The label rule in SQL, over label sets rather than runs: {@code coveredSets} selects the ids
 * ({@code id}) of the label sets an agent takes runs of. An agent without labels covers only the
 * empty set; an agent with labels covers every non-empty set none of whose labels it lacks (never
 * the empty set). Its cost grows with the number of distinct label sets, not of runs.
 */
record LabelCondition(String coveredSets, List<Object> params) {

  static LabelCondition of(Set<String> agentLabels) {
    if (agentLabels.isEmpty()) {
      return new LabelCondition("SELECT s.id FROM label_sets s WHERE s.label_count = 0", List.of());
    }
    return new LabelCondition(
        "SELECT s.id FROM label_sets s WHERE s.label_count > 0"
            + " AND NOT EXISTS (SELECT 1 FROM label_set_labels sl WHERE sl.label_set_id = s.id"
            + " AND sl.label NOT IN ("
            + parameterMarks(agentLabels.size())
            + "))",
        List.copyOf(agentLabels));
  }

  /** The condition "run {@code r} has a covered label set", for statements over many runs. */
  String onRun() {
    return "r.label_set_id IN (" + coveredSets + ")";
  }
}
