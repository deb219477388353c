package dev.gantry.docker;

import dev.gantry.launch.LaunchRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every run container carries: nothing Gantry creates is left without an owner. */
public final class ContainerLabels {
  private ContainerLabels() {}

  /** Marks containers created by a Gantry Docker agent; the agent's event stream filters on it. */
  public static final String MANAGED = "dev.gantry.managed";

  public static final String RUN_ID = "dev.gantry.run-id";
  public static final String FLOW = "dev.gantry.flow";
  public static final String AGENT_ID = "dev.gantry.agent-id";
  public static final String ATTEMPT = "dev.gantry.attempt";

  /** The labels of the container of one run attempt. */
  public static Map<String, String> of(LaunchRequest request) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED, "true");
    labels.put(RUN_ID, request.runId());
    labels.put(FLOW, request.flow().name());
    labels.put(AGENT_ID, request.agentId());
    labels.put(ATTEMPT, Integer.toString(request.run().attempt()));
    return labels;
  }

  /** The label filter that finds one run attempt's container. */
  public static Map<String, String> ofAttempt(String runId, int attempt) {
    return Map.of(MANAGED, "true", RUN_ID, runId, ATTEMPT, Integer.toString(attempt));
  }

  /** The attempt label's value, or -1 when it is missing or not a number. */
  static int attempt(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(ATTEMPT);
    if (value == null) {
      return -1;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
