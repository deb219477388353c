package dev.gantry.docker;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.RunState;
import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunSettingCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run's container gets from its run settings: the agent's defaults ({@code --env}, {@code
 * --memory}, {@code --cpus}), then the flow version's settings, which win. Whether the agent allows
 * them is its policy's business ({@code BoundedLauncher}); this only applies them.
 *
 * @param environment the agent's and the flow's variables, the flow's last
 * @param memoryBytes the memory limit (swap included), or null for none
 * @param nanoCpus CPUs in billionths, Docker's unit, or null for no limit
 * @param hostNetwork the container joins the host's network instead of the agent's networks
 * @param hostPaths host paths the flow mounts
 * @param capAdd Linux capabilities added
 */
record RunResources(
    Map<String, String> environment,
    Long memoryBytes,
    Long nanoCpus,
    boolean privileged,
    boolean hostNetwork,
    List<Bind> hostPaths,
    List<String> capAdd) {

  /** Every setting the Docker launcher applies; the run timeout is the agent's. */
  static final Set<RunSetting> APPLIED =
      Set.of(
          RunSetting.ENV,
          RunSetting.RUN_TIMEOUT,
          RunSetting.MEMORY,
          RunSetting.CPUS,
          RunSetting.PRIVILEGED,
          RunSetting.HOST_NETWORK,
          RunSetting.HOST_PATHS,
          RunSetting.CAP_ADD);

  private static final long DOCKER_MINIMUM_MEMORY = 6L * 1024 * 1024;

  /**
   * What a run asks for, for the agent's policy: the flow version's settings over the agent's
   * default memory and CPUs (source {@code agent}), so a default above the policy's limit is
   * refused too.
   */
  static RunConfig asked(DockerSettings settings, LaunchRequest request) {
    Map<String, String> defaults = new LinkedHashMap<>();
    if (settings.memoryBytes() != null) {
      defaults.put(RunSetting.MEMORY.key(), size(settings.memoryBytes()));
    }
    if (settings.cpuMillis() != null) {
      defaults.put(
          RunSetting.CPUS.key(),
          java.math.BigDecimal.valueOf(settings.cpuMillis(), 3)
              .stripTrailingZeros()
              .toPlainString());
    }
    return request.flow().runConfig().withAgentDefaults(defaults);
  }

  /** {@code 2g}, {@code 512m}, else bytes: as an operator wrote {@code --memory}. */
  private static String size(long bytes) {
    for (String unit : List.of("g", "m", "k")) {
      long factor = RunSetting.memoryBytes("1" + unit);
      if (bytes % factor == 0) {
        return bytes / factor + unit;
      }
    }
    return bytes + "b";
  }

  RunResources {
    environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    hostPaths = List.copyOf(hostPaths);
    capAdd = List.copyOf(capAdd);
  }

  /**
   * @throws LaunchException (Failed) for a setting Docker cannot apply, naming it
   */
  static RunResources of(DockerSettings settings, LaunchRequest request) throws LaunchException {
    RunConfig config = request.flow().runConfig();
    RunSettingCheck.applicable(request, config, "docker", APPLIED);
    Map<String, String> env = new LinkedHashMap<>(settings.environment());
    env.putAll(config.environment());
    Long memory = settings.memoryBytes();
    String asked = config.value(RunSetting.MEMORY).orElse(null);
    if (asked != null) {
      memory = RunSetting.memoryBytes(asked);
      if (memory < DOCKER_MINIMUM_MEMORY) {
        throw new LaunchException(
            "run "
                + request.runId()
                + " of flow '"
                + request.flow().name()
                + "': run setting memory="
                + asked
                + " is below Docker's minimum of 6 MiB",
            RunState.Failed,
            "RunSettingUnsupported",
            null);
      }
    }
    Long cpuMillis =
        config.value(RunSetting.CPUS).map(RunSetting::cpuMillis).orElse(settings.cpuMillis());
    Long nanoCpus = cpuMillis == null ? null : cpuMillis * 1_000_000L;
    List<Bind> paths = new ArrayList<>();
    config
        .value(RunSetting.HOST_PATHS)
        .ifPresent(
            v -> {
              for (String mount : v.split(",")) {
                paths.add(Bind.parse(mount.trim()));
              }
            });
    List<String> caps = new ArrayList<>();
    for (String cap :
        config.value(RunSetting.CAP_ADD).map(v -> v.split(",")).orElse(new String[0])) {
      try {
        caps.add(Capability.valueOf(cap.trim()).name());
      } catch (IllegalArgumentException e) {
        throw new LaunchException(
            "run "
                + request.runId()
                + " of flow '"
                + request.flow().name()
                + "': run setting cap-add names "
                + cap.trim()
                + ", which Docker does not know as a capability",
            RunState.Failed,
            "RunSettingUnsupported",
            null);
      }
    }
    return new RunResources(
        env,
        memory,
        nanoCpus,
        config.value(RunSetting.PRIVILEGED).map("true"::equals).orElse(false),
        config.value(RunSetting.HOST_NETWORK).map("true"::equals).orElse(false),
        paths,
        caps);
  }
}
