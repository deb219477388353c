package dev.gantry.flow.environment;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The flow runs in a Docker container with these settings (Prefect's {@code DockerRun}):
 *
 * <pre>{@code
 * flow.environment(DockerRun.image("repo/etl:1.4").env("MODE", "full").memory("2g").cpus(1.5));
 * }</pre>
 *
 * Privileged containers, the host's network, host paths and added capabilities can be asked for,
 * but an agent refuses them unless its operator allowed them.
 *
 * @param image the image, or null for the agent's default
 */
public record DockerRun(
    String image, Map<String, String> runSettings, Set<String> labels, Set<String> secrets)
    implements Environment {

  public DockerRun {
    runSettings = RunSettings.copyOf(Objects.requireNonNull(runSettings, "runSettings"));
    labels = Set.copyOf(labels);
    secrets = Set.copyOf(secrets);
  }

  public static DockerRun image(String image) {
    return new DockerRun(Objects.requireNonNull(image, "image"), Map.of(), Set.of(), Set.of());
  }

  /** The agent's default image. */
  public static DockerRun defaultImage() {
    return new DockerRun(null, Map.of(), Set.of(), Set.of());
  }

  @Override
  public Map<String, String> metadata() {
    return image == null ? Map.of() : Map.of("image", image);
  }

  public DockerRun env(String name, String value) {
    return setting(RunSetting.ENV.key() + name, value);
  }

  public DockerRun runTimeout(Duration timeout) {
    return setting(RunSetting.RUN_TIMEOUT.key(), timeout.toString());
  }

  /** The memory limit, swap included: {@code 512m}, {@code 2g}. */
  public DockerRun memory(String size) {
    return setting(RunSetting.MEMORY.key(), size);
  }

  public DockerRun cpus(double cpus) {
    return setting(RunSetting.CPUS.key(), cpuText(cpus));
  }

  public DockerRun privileged() {
    return setting(RunSetting.PRIVILEGED.key(), "true");
  }

  public DockerRun hostNetwork() {
    return setting(RunSetting.HOST_NETWORK.key(), "true");
  }

  /** Mounts {@code hostPath} at {@code containerPath}. */
  public DockerRun hostPath(String hostPath, String containerPath) {
    String mount = hostPath + ":" + containerPath;
    String before = runSettings.get(RunSetting.HOST_PATHS.key());
    return setting(RunSetting.HOST_PATHS.key(), before == null ? mount : before + "," + mount);
  }

  public DockerRun capAdd(String capability) {
    String before = runSettings.get(RunSetting.CAP_ADD.key());
    return setting(
        RunSetting.CAP_ADD.key(), before == null ? capability : before + "," + capability);
  }

  public DockerRun labels(String... more) {
    return new DockerRun(image, runSettings, RunSettings.plus(labels, more), secrets);
  }

  public DockerRun secrets(String... more) {
    return new DockerRun(image, runSettings, labels, RunSettings.plus(secrets, more));
  }

  private DockerRun setting(String name, String value) {
    return new DockerRun(image, RunSettings.with(runSettings, name, value), labels, secrets);
  }

  static String cpuText(double cpus) {
    if (!(cpus > 0) || Double.isInfinite(cpus)) {
      throw new IllegalArgumentException("run setting cpus '" + cpus + "' is not positive");
    }
    return java.math.BigDecimal.valueOf(cpus).stripTrailingZeros().toPlainString();
  }
}
