package dev.gantry.cli;

import dev.gantry.catalog.RunConfig;
import dev.gantry.flow.environment.RunSetting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The run settings of {@code flow register} for flows registered without code changes; each
 * overrides the flow's own setting of the same name. Checked here, one line for a malformed one.
 */
public final class RunConfigOptions {

  @Option(
      names = "--run-env",
      paramLabel = "NAME=VALUE",
      description = "An environment variable of every run. Repeatable.")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--run-timeout",
      paramLabel = "DURATION",
      description = "The longest a run may take (90s, 30m, 2h); the agent stops it then.")
  String runTimeout;

  @Option(names = "--memory", paramLabel = "SIZE", description = "Docker: memory limit (2g).")
  String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "Docker: CPUs (1.5).")
  String cpus;

  @Option(
      names = "--cpu-request",
      paramLabel = "QUANTITY",
      description = "Kubernetes: CPU request (500m).")
  String cpuRequest;

  @Option(
      names = "--cpu-limit",
      paramLabel = "QUANTITY",
      description = "Kubernetes: CPU limit (2).")
  String cpuLimit;

  @Option(
      names = "--memory-request",
      paramLabel = "SIZE",
      description = "Kubernetes: memory request (512Mi).")
  String memoryRequest;

  @Option(
      names = "--memory-limit",
      paramLabel = "SIZE",
      description = "Kubernetes: memory limit (2Gi).")
  String memoryLimit;

  @Option(
      names = "--service-account",
      paramLabel = "NAME",
      description = "Kubernetes: the pod's service account.")
  String serviceAccount;

  @Option(
      names = "--image-pull-policy",
      paramLabel = "POLICY",
      description = "Kubernetes: Always, IfNotPresent or Never.")
  String imagePullPolicy;

  @Option(
      names = "--job-template",
      paramLabel = "FILE",
      description = "Kubernetes: a Job template (YAML) merged over the agent's.")
  Path jobTemplate;

  /**
   * The settings given, by {@link RunSetting} name, every value checked.
   *
   * @throws UserError naming the first malformed option
   */
  public Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : env) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UserError("--run-env '" + pair + "' is not NAME=VALUE");
      }
      put(out, "--run-env", RunSetting.ENV.key() + pair.substring(0, eq), pair.substring(eq + 1));
    }
    put(out, "--run-timeout", RunSetting.RUN_TIMEOUT.key(), runTimeout);
    put(out, "--memory", RunSetting.MEMORY.key(), memory);
    put(out, "--cpus", RunSetting.CPUS.key(), cpus);
    put(out, "--cpu-request", RunSetting.CPU_REQUEST.key(), cpuRequest);
    put(out, "--cpu-limit", RunSetting.CPU_LIMIT.key(), cpuLimit);
    put(out, "--memory-request", RunSetting.MEMORY_REQUEST.key(), memoryRequest);
    put(out, "--memory-limit", RunSetting.MEMORY_LIMIT.key(), memoryLimit);
    put(out, "--service-account", RunSetting.SERVICE_ACCOUNT.key(), serviceAccount);
    put(out, "--image-pull-policy", RunSetting.IMAGE_PULL_POLICY.key(), imagePullPolicy);
    if (jobTemplate != null) {
      String yaml;
      try {
        yaml = Files.readString(jobTemplate, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UserError("--job-template " + jobTemplate + " cannot be read: " + e.getMessage());
      }
      put(out, "--job-template", RunSetting.JOB_TEMPLATE.key(), yaml);
    }
    return out;
  }

  private static void put(Map<String, String> out, String option, String name, String value) {
    if (value == null) {
      return;
    }
    try {
      out.put(name, RunSetting.check(name, value));
    } catch (IllegalArgumentException e) {
      throw new UserError(option + ": " + e.getMessage());
    }
  }

  /** The display lines of {@code flow list} and {@code run show}: {@code run: memory=2g (flow)}. */
  public static List<String> describe(RunConfig config) {
    List<String> lines = new ArrayList<>();
    config.describe().forEach(line -> lines.add("  run:      " + line));
    return lines;
  }
}
