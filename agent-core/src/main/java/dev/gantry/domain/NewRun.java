package dev.gantry.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A run to create: for a flow version, with the labels it needs, text parameter values already
 * validated against the flow's parameters, due at {@code scheduledAt}.
 */
public record NewRun(
    long flowId, Set<String> labels, Map<String, String> parameters, Instant scheduledAt) {
  public NewRun {
    labels = Set.copyOf(labels);
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(scheduledAt, "scheduledAt");
  }
}
