package dev.gantry.cli;

import dev.gantry.docker.DockerSettings;
import dev.gantry.docker.VolumeMount;
import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.LaunchPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry agent start docker}: runs each flow run as a Docker container. */
@Command(
    name = "docker",
    mixinStandardHelpOptions = true,
    description = {
      "Start an agent that runs each flow run as a Docker container of the image its flow names"
          + " (else --default-image, else the Gantry image of this version).",
      "The engine is DOCKER_HOST's (or --base-url); registry credentials come from the usual"
          + " Docker configuration (~/.docker/config.json).",
      "Stops gracefully on SIGTERM or Ctrl-C; run containers of an agent that died keep running"
          + " and are found again by their labels."
    })
public final class DockerAgentStartCommand extends AgentStartCommand<DockerSettings> {

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description =
          "The Docker engine, e.g. unix:///var/run/docker.sock or tcp://host:2376"
              + " (default: DOCKER_HOST, else the local socket).")
  String baseUrl;

  @Option(
      names = "--no-pull",
      description = "Never pull images: a run whose image is not on the engine fails.")
  boolean noPull;

  @Option(
      names = "--volume",
      paramLabel = "HOST:CONTAINER[:MODE]",
      description = "A host path mounted into every run container (MODE rw or ro). Repeatable.")
  List<String> volumes = new ArrayList<>();

  @Option(
      names = "--network",
      paramLabel = "NAME",
      description =
          "A network every run container joins (host, bridge or a user network); the first is its"
              + " network mode. Repeatable.")
  List<String> networks = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description =
          "A variable set in every run container; the run's own variables win. Repeatable.")
  List<String> environment = new ArrayList<>();

  @Option(
      names = "--show-flow-logs",
      description = "Also print the runs' output on this agent's console (secrets masked).")
  boolean showFlowLogs;

  @Option(
      names = "--default-image",
      paramLabel = "IMAGE",
      description = "The image of flows whose environment names none (default: gantry:VERSION).")
  String defaultImage;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      description = "A memory limit for each run container, e.g. 512m or 2g (default: none).")
  String memory;

  @Option(
      names = "--cpus",
      paramLabel = "N",
      description =
          "A CPU limit for each run container, e.g. 0.5 or 2 (default: none); a flow's own CPUs"
              + " win, and both are bounded by --max-cpus.")
  String cpus;

  @Option(
      names = "--pull-timeout",
      defaultValue = "10m",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long pulling an image may take before the run ends Crashed and is retried (default 10m).")
  Duration pullTimeout;

  @Override
  protected String kind() {
    return "docker";
  }

  @Override
  protected Class<DockerSettings> settingsType() {
    return DockerSettings.class;
  }

  @Override
  public DockerSettings settings() {
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.forEach(v -> mounts.add(VolumeMount.parse(v)));
    return new DockerSettings(
        baseUrl,
        !noPull,
        defaultImage,
        mounts,
        networks,
        DockerSettings.parseEnvironment(environment),
        showFlowLogs,
        memory == null ? null : DockerSettings.parseMemory(memory),
        pullTimeout,
        Math.max(64, maxConcurrent * 2 + 16),
        cpus == null ? null : cpuMillis(cpus));
  }

  private static long cpuMillis(String value) {
    try {
      long millis = RunSetting.cpuMillis(value);
      if (millis > 0) {
        return millis;
      }
    } catch (IllegalArgumentException e) {
      // named below
    }
    throw new UserError("--cpus '" + value + "' is not a number of CPUs above 0 such as 0.5 or 2");
  }

  /**
   * The agent's own defaults within its policy: a --memory or --cpus above --max-memory or
   * --max-cpus would fail every run that does not set its own, so the agent does not start.
   */
  @Override
  protected void checkDefaultsWithinPolicy() {
    DockerSettings settings = settings();
    LaunchPolicy bounds = policy.policy();
    if (settings.memoryBytes() != null
        && bounds.maxMemoryBytes() != null
        && settings.memoryBytes() > bounds.maxMemoryBytes()) {
      throw new UserError(
          "--memory "
              + memory
              + " is above --max-memory "
              + policy.maxMemory
              + ": lower --memory or raise --max-memory");
    }
    if (settings.cpuMillis() != null
        && bounds.maxCpuMillis() != null
        && settings.cpuMillis() > bounds.maxCpuMillis()) {
      throw new UserError(
          "--cpus "
              + cpus
              + " is above --max-cpus "
              + policy.maxCpus
              + ": lower --cpus or raise --max-cpus");
    }
  }
}
