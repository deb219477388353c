package dev.gantry.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the container of one run attempt is made of: its name, labels, environment, mounts,
 * networks, memory limit and command. Built from the agent's settings and the launch request
 * without asking the engine; {@link #applyTo} writes it into docker-java's create command.
 *
 * @param image the image the container runs
 * @param name {@code gantry-RUN-ATTEMPT}
 * @param labels {@link ContainerLabels#of the run's labels}
 * @param environment {@code NAME=value} pairs: the agent's {@code --env} first, then the run's
 *     bootstrap variables, which win over them; never a secret's value
 * @param secretsOnStdin the run has secrets: the container keeps stdin open for the one line of
 *     values the launcher writes before it starts ({@link SecretHandoff})
 * @param binds the agent's volumes, then the run's bundle mount
 * @param networkMode the first network, the container is created in; null for the engine's default
 * @param extraNetworks the other networks, connected before the container starts
 * @param memoryBytes the memory limit (swap included), or null for none
 * @param nanoCpus the CPU limit in billionths of a CPU, or null for none
 * @param privileged a privileged container (only when the agent's policy allowed it)
 * @param capAdd Linux capabilities added (only when the agent's policy allowed them)
 * @param command the image's arguments: {@code execute flow-run}
 */
public record ContainerSpec(
    String image,
    String name,
    Map<String, String> labels,
    List<String> environment,
    List<Bind> binds,
    String networkMode,
    List<String> extraNetworks,
    Long memoryBytes,
    Long nanoCpus,
    boolean privileged,
    List<String> capAdd,
    List<String> command,
    boolean secretsOnStdin) {

  /** The arguments every run container gets: the bootstrap of {@code gantry execute flow-run}. */
  public static final List<String> RUN_COMMAND = List.of("execute", "flow-run");

  public ContainerSpec {
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    environment = List.copyOf(environment);
    binds = List.copyOf(binds);
    extraNetworks = List.copyOf(extraNetworks);
    capAdd = List.copyOf(capAdd);
    command = List.copyOf(command);
  }

  /**
   * The spec of the container of {@code request}'s run attempt, of {@code image}.
   *
   * @throws LaunchException (Failed) when the flow asks for a setting Docker cannot apply
   */
  public static ContainerSpec forRun(
      DockerSettings settings, LaunchRequest request, String image, Optional<Bind> bundle)
      throws LaunchException {
    RunResources resources = RunResources.of(settings, request);
    List<String> env = new ArrayList<>();
    // The agent's --env, then the flow's: the run's own bootstrap variables win over both.
    // Secret values never go into the spec (docker inspect shows it to anyone with the socket):
    // they reach the bootstrap on stdin.
    resources.environment().forEach((name, value) -> env.add(name + "=" + value));
    BootstrapSpec.withoutSecretValues(request.environment())
        .forEach((name, value) -> env.add(name + "=" + value));
    boolean secrets = !BootstrapSpec.secretVariables(request.environment()).isEmpty();
    if (secrets) {
      env.add(BootstrapSpec.SECRETS_ON_STDIN + "=true");
    }

    List<Bind> binds = new ArrayList<>();
    for (VolumeMount volume : settings.volumes()) {
      binds.add(Bind.parse(volume.toString()));
    }
    binds.addAll(resources.hostPaths());
    bundle.ifPresent(binds::add);

    List<String> networks = resources.hostNetwork() ? List.of("host") : settings.networks();
    return new ContainerSpec(
        image,
        "gantry-" + request.runId() + "-" + request.run().attempt(),
        ContainerLabels.of(request),
        env,
        binds,
        networks.isEmpty() ? null : networks.get(0),
        networks.subList(Math.min(1, networks.size()), networks.size()),
        resources.memoryBytes(),
        resources.nanoCpus(),
        resources.privileged(),
        resources.capAdd(),
        RUN_COMMAND,
        secrets);
  }

  /** The host side: mounts, the json-file log driver (the agent reads logs), network, memory. */
  public HostConfig hostConfig() {
    HostConfig host =
        HostConfig.newHostConfig()
            .withBinds(binds)
            .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, Map.of()));
    if (networkMode != null) {
      host.withNetworkMode(networkMode);
    }
    if (memoryBytes != null) {
      host.withMemory(memoryBytes).withMemorySwap(memoryBytes);
    }
    if (nanoCpus != null) {
      host.withNanoCPUs(nanoCpus);
    }
    if (privileged) {
      host.withPrivileged(true);
    }
    if (!capAdd.isEmpty()) {
      host.withCapAdd(capAdd.stream().map(Capability::valueOf).toArray(Capability[]::new));
    }
    return host;
  }

  /** Writes this spec into a create command made for {@link #image}. */
  public CreateContainerCmd applyTo(CreateContainerCmd command) {
    command
        .withName(name)
        .withLabels(labels)
        .withEnv(environment)
        .withCmd(this.command)
        .withHostConfig(hostConfig());
    if (secretsOnStdin) {
      // stdin closes when the launcher's attachment ends: nothing more can be written to it.
      command.withStdinOpen(true).withStdInOnce(true).withAttachStdin(true);
    }
    return command;
  }
}
