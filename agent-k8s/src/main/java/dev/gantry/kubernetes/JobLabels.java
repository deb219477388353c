package dev.gantry.kubernetes;

import dev.gantry.launch.LaunchRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The labels and names of what the Kubernetes launcher creates. Every Job, its pod and its Secret
 * carry the run id, flow, agent and attempt, plus {@value #MANAGED}{@code =true}, which the agent's
 * watches select on and by which a later agent finds them again.
 */
public final class JobLabels {
  public static final String RUN_ID = "dev.gantry/run-id";
  public static final String FLOW = "dev.gantry/flow";
  public static final String AGENT_ID = "dev.gantry/agent-id";
  public static final String ATTEMPT = "dev.gantry/attempt";
  public static final String MANAGED = "dev.gantry/managed";

  /** Annotation with the flow's name as registered (the label holds a label-safe form). */
  public static final String FLOW_NAME_ANNOTATION = "dev.gantry/flow-name";

  /** Annotation with the registered version of the flow being run. */
  public static final String FLOW_VERSION_ANNOTATION = "dev.gantry/flow-version";

  /** The selector of everything Gantry launchers create. */
  public static final String MANAGED_SELECTOR = MANAGED + "=true";

  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final int MAX_LABEL_VALUE = 63;

  private JobLabels() {}

  /** The labels of a run attempt's Job, pod and Secret. */
  public static Map<String, String> of(LaunchRequest request) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED, "true");
    labels.put(RUN_ID, labelValue(request.runId()));
    labels.put(ATTEMPT, Integer.toString(request.run().attempt()));
    labels.put(AGENT_ID, labelValue(request.agentId()));
    labels.put(FLOW, labelValue(request.flow().name()));
    return labels;
  }

  /** The labels that select one run attempt. */
  public static Map<String, String> ofAttempt(String runId, int attempt) {
    return Map.of(MANAGED, "true", RUN_ID, labelValue(runId), ATTEMPT, Integer.toString(attempt));
  }

  /** The Job of a run attempt: {@code gantry-RUNID-ATTEMPT}. */
  public static String jobName(String runId, int attempt) {
    return "gantry-" + runId.toLowerCase(Locale.ROOT) + "-" + attempt;
  }

  /** The Secret holding a run attempt's secret values: {@code gantry-run-RUNID-ATTEMPT}. */
  public static String secretName(String runId, int attempt) {
    return "gantry-run-" + runId.toLowerCase(Locale.ROOT) + "-" + attempt;
  }

  /** The attempt label's number, or 0 when it is missing or malformed. */
  public static int attempt(Map<String, String> labels) {
    try {
      return Integer.parseInt(labels.getOrDefault(ATTEMPT, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A valid label value for {@code value}: unchanged when it is one already (run ids, agent ids and
   * the usual flow names are), else with other characters replaced by '-', cut to 63 characters and
   * trimmed to start and end with a letter or digit.
   */
  static String labelValue(String value) {
    if (value.length() <= MAX_LABEL_VALUE && LABEL_VALUE.matcher(value).matches()) {
      return value;
    }
    String replaced = value.replaceAll("[^-A-Za-z0-9_.]", "-");
    if (replaced.length() > MAX_LABEL_VALUE) {
      replaced = replaced.substring(0, MAX_LABEL_VALUE);
    }
    return replaced.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
  }
}
