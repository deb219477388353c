package dev.gantry.explain;

import dev.gantry.domain.AgentInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether any agent seen recently would take a flow's runs, checked when the flow is registered:
 * label mismatches were the first complaint of Prefect 0.x's users, so say so before a run waits.
 */
public final class FlowCoverage {
  /** An agent whose last heartbeat is within this window counts as seen recently. */
  public static final Duration SEEN_RECENTLY = Duration.ofMinutes(10);

  private FlowCoverage() {}

  /** A one-line warning when no agent seen recently takes runs with these labels, else empty. */
  public static Optional<String> warning(Set<String> labels, List<AgentInfo> agents, Instant now) {
    List<AgentInfo> recent =
        agents.stream().filter(a -> !a.heartbeatAt().isBefore(now.minus(SEEN_RECENTLY))).toList();
    List<LabelFit> fits = LabelFit.rank(labels, recent);
    if (fits.stream().anyMatch(LabelFit::takes)) {
      return Optional.empty();
    }
    String closest = fits.isEmpty() ? "no agent was seen" : "closest: " + fits.get(0).describe();
    StringBuilder start = new StringBuilder("gantry agent start local");
    new TreeSet<>(labels).forEach(l -> start.append(" -l ").append(l));
    return Optional.of(
        "warning: no agent seen in the last "
            + SEEN_RECENTLY.toMinutes()
            + " minutes takes runs with "
            + (labels.isEmpty()
                ? "no labels"
                : "labels " + String.join(", ", new TreeSet<>(labels)))
            + " ("
            + closest
            + "); its runs stay Scheduled until one does: "
            + start);
  }
}
