package dev.gantry.cli;

import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.LaunchPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What flows may ask of this agent ({@code gantry agent start KIND}): a run asking for more fails
 * at launch with one line naming the setting and the limit.
 */
public final class AgentPolicyOptions {

  @Option(
      names = "--allow-image-prefix",
      paramLabel = "PREFIX",
      description =
          "Run only images starting with this (registry.acme/etl/). Repeatable; default any image.")
  List<String> imagePrefixes = new ArrayList<>();

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      description = "The most memory a run may ask for (4g); default no limit.")
  String maxMemory;

  @Option(
      names = "--max-cpus",
      paramLabel = "N",
      description = "The most CPUs a run may ask for (2); default no limit.")
  String maxCpus;

  @Option(
      names = "--allow-service-account",
      paramLabel = "NAME",
      description = "A service account runs may use. Repeatable; default any.")
  List<String> serviceAccounts = new ArrayList<>();

  @Option(names = "--allow-privileged", description = "Let runs ask for privileged containers.")
  boolean privileged;

  @Option(names = "--allow-host-network", description = "Let runs ask for the host's network.")
  boolean hostNetwork;

  @Option(names = "--allow-host-paths", description = "Let runs mount host paths.")
  boolean hostPaths;

  @Option(names = "--allow-capabilities", description = "Let runs add Linux capabilities.")
  boolean capabilities;

  /** The policy these options describe; throws naming a malformed option. */
  public LaunchPolicy policy() {
    Long memory = null;
    Long cpus = null;
    try {
      if (maxMemory != null) {
        memory = RunSetting.memoryBytes(maxMemory);
      }
    } catch (IllegalArgumentException e) {
      throw new UserError("--max-memory '" + maxMemory + "' is not a size such as 512m or 4g");
    }
    try {
      if (maxCpus != null) {
        cpus = RunSetting.cpuMillis(maxCpus);
      }
    } catch (IllegalArgumentException e) {
      throw new UserError("--max-cpus '" + maxCpus + "' is not a number of CPUs such as 2");
    }
    return new LaunchPolicy(
        imagePrefixes,
        memory,
        cpus,
        new LinkedHashSet<>(serviceAccounts),
        privileged,
        hostNetwork,
        hostPaths,
        capabilities);
  }
}
