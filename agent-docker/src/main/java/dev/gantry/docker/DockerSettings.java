package dev.gantry.docker;

import dev.gantry.flow.GantryVersion;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the Docker launcher creates run containers; validated when built.
 *
 * @param dockerHost the engine's address ({@code unix:///var/run/docker.sock}, {@code
 *     tcp://host:2376}); null for DOCKER_HOST or the platform default
 * @param pull whether to pull images that are not present (false: {@code --no-pull})
 * @param defaultImage the image of flows whose environment names none; null for the Gantry image of
 *     this version, {@code gantry:VERSION}
 * @param volumes host paths mounted into every run container
 * @param networks networks every run container joins; the first is its network mode ({@code host},
 *     {@code bridge} or a user network), the others are connected before it starts
 * @param environment variables added to every run container (after the run's own)
 * @param showFlowLogs whether the agent also prints its runs' output lines on its own console
 * @param memoryBytes a memory limit for each run container (no swap beyond it), or null for none
 * @param pullTimeout how long a pull may take before the run fails
 * @param maxStreams connections kept for concurrent requests to the engine
 * @param cpuMillis a CPU limit for each run container in thousandths of a CPU ({@code --cpus 1.5}
 *     is 1500), or null for none; a flow's own CPUs win
 */
public record DockerSettings(
    String dockerHost,
    boolean pull,
    String defaultImage,
    List<VolumeMount> volumes,
    List<String> networks,
    Map<String, String> environment,
    boolean showFlowLogs,
    Long memoryBytes,
    Duration pullTimeout,
    int maxStreams,
    Long cpuMillis) {

  public DockerSettings {
    volumes = List.copyOf(volumes);
    networks = List.copyOf(networks);
    environment = Map.copyOf(new LinkedHashMap<>(environment));
    Objects.requireNonNull(pullTimeout, "pullTimeout");
    if (memoryBytes != null && memoryBytes < 6 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "--memory " + memoryBytes + " bytes is below Docker's minimum of 6 MiB");
    }
    if (cpuMillis != null && cpuMillis < 1) {
      throw new IllegalArgumentException("--cpus must be above 0, such as 0.5 or 2");
    }
    if (maxStreams < 4) {
      throw new IllegalArgumentException("maxStreams must be at least 4");
    }
    for (String network : networks) {
      if (network == null || network.isBlank()) {
        throw new IllegalArgumentException("--network needs a network name");
      }
    }
  }

  /** Settings without an agent default for CPUs. */
  public DockerSettings(
      String dockerHost,
      boolean pull,
      String defaultImage,
      List<VolumeMount> volumes,
      List<String> networks,
      Map<String, String> environment,
      boolean showFlowLogs,
      Long memoryBytes,
      Duration pullTimeout,
      int maxStreams) {
    this(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        null);
  }

  /** Settings with DOCKER_HOST, pulling, the Gantry image of this version and nothing extra. */
  public static DockerSettings defaults() {
    return new DockerSettings(
        null,
        true,
        null,
        List.of(),
        List.of(),
        Map.of(),
        false,
        null,
        Duration.ofMinutes(10),
        64,
        null);
  }

  /** The image runs use when their flow names none. */
  public String effectiveDefaultImage() {
    return defaultImage != null ? defaultImage : gantryImage();
  }

  /** The Gantry image of the running version: {@code gantry:VERSION}. */
  public static String gantryImage() {
    return "gantry:" + GantryVersion.current();
  }

  public DockerSettings withDockerHost(String value) {
    return new DockerSettings(
        value,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withPull(boolean value) {
    return new DockerSettings(
        dockerHost,
        value,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withDefaultImage(String value) {
    return new DockerSettings(
        dockerHost,
        pull,
        value,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withPullTimeout(Duration value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        value,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withVolumes(List<VolumeMount> value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        value,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withNetworks(List<String> value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        value,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withEnvironment(Map<String, String> value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        value,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withShowFlowLogs(boolean value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        value,
        memoryBytes,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withMemoryBytes(Long value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        value,
        pullTimeout,
        maxStreams,
        cpuMillis);
  }

  public DockerSettings withMaxStreams(int value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        value,
        cpuMillis);
  }

  public DockerSettings withCpuMillis(Long value) {
    return new DockerSettings(
        dockerHost,
        pull,
        defaultImage,
        volumes,
        networks,
        environment,
        showFlowLogs,
        memoryBytes,
        pullTimeout,
        maxStreams,
        value);
  }

  /**
   * Parses {@code K=V} pairs of {@code --env}.
   *
   * @throws IllegalArgumentException naming the malformed pair
   */
  public static Map<String, String> parseEnvironment(List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--env '" + pair + "' is not NAME=VALUE");
      }
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  /**
   * Parses a memory size: a number of bytes or with a unit b, k, m, g (powers of 1024), as {@code
   * docker run --memory} does.
   */
  public static long parseMemory(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
    switch (last) {
      case 'b' -> v = v.substring(0, v.length() - 1);
      case 'k' -> {
        unit = 1024L;
        v = v.substring(0, v.length() - 1);
      }
      case 'm' -> {
        unit = 1024L * 1024;
        v = v.substring(0, v.length() - 1);
      }
      case 'g' -> {
        unit = 1024L * 1024 * 1024;
        v = v.substring(0, v.length() - 1);
      }
      default -> {
        // plain bytes
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(v), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "--memory '" + value + "' is not a size such as 512m or 2g");
    }
  }
}
