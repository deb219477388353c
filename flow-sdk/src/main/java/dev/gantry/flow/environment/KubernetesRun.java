package dev.gantry.flow.environment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The flow runs as a Kubernetes Job with these settings (Prefect's {@code KubernetesRun}):
 *
 * <pre>{@code
 * flow.environment(KubernetesRun.image("repo/etl:1.4").cpuRequest("500m").memoryLimit("2Gi")
 *     .serviceAccount("etl").imagePullPolicy(ALWAYS).jobTemplate(Path.of("job.yaml")));
 * }</pre>
 *
 * A job template is read when the flow is built (at registration) and stored with the flow version;
 * the agent merges it over its own template.
 *
 * @param image the image, or null for the agent's default
 */
public record KubernetesRun(
    String image, Map<String, String> runSettings, Set<String> labels, Set<String> secrets)
    implements Environment {

  public KubernetesRun {
    runSettings = RunSettings.copyOf(Objects.requireNonNull(runSettings, "runSettings"));
    labels = Set.copyOf(labels);
    secrets = Set.copyOf(secrets);
  }

  public static KubernetesRun image(String image) {
    return new KubernetesRun(Objects.requireNonNull(image, "image"), Map.of(), Set.of(), Set.of());
  }

  /** The agent's default image. */
  public static KubernetesRun defaultImage() {
    return new KubernetesRun(null, Map.of(), Set.of(), Set.of());
  }

  @Override
  public Map<String, String> metadata() {
    return image == null ? Map.of() : Map.of("image", image);
  }

  public KubernetesRun env(String name, String value) {
    return setting(RunSetting.ENV.key() + name, value);
  }

  /** The longest a run may take: the Job's {@code activeDeadlineSeconds}. */
  public KubernetesRun runTimeout(Duration timeout) {
    return setting(RunSetting.RUN_TIMEOUT.key(), timeout.toString());
  }

  public KubernetesRun cpuRequest(String quantity) {
    return setting(RunSetting.CPU_REQUEST.key(), quantity);
  }

  public KubernetesRun cpuLimit(String quantity) {
    return setting(RunSetting.CPU_LIMIT.key(), quantity);
  }

  public KubernetesRun memoryRequest(String quantity) {
    return setting(RunSetting.MEMORY_REQUEST.key(), quantity);
  }

  public KubernetesRun memoryLimit(String quantity) {
    return setting(RunSetting.MEMORY_LIMIT.key(), quantity);
  }

  public KubernetesRun serviceAccount(String name) {
    return setting(RunSetting.SERVICE_ACCOUNT.key(), name);
  }

  public KubernetesRun imagePullPolicy(ImagePullPolicy policy) {
    return setting(RunSetting.IMAGE_PULL_POLICY.key(), policy.kubernetesName());
  }

  /** A Job template in YAML, read now from {@code file}. */
  public KubernetesRun jobTemplate(Path file) {
    try {
      return jobTemplate(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "run setting job-template: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A Job template given as YAML text. */
  public KubernetesRun jobTemplate(String yaml) {
    return setting(RunSetting.JOB_TEMPLATE.key(), yaml);
  }

  public KubernetesRun labels(String... more) {
    return new KubernetesRun(image, runSettings, RunSettings.plus(labels, more), secrets);
  }

  public KubernetesRun secrets(String... more) {
    return new KubernetesRun(image, runSettings, labels, RunSettings.plus(secrets, more));
  }

  private KubernetesRun setting(String name, String value) {
    return new KubernetesRun(image, RunSettings.with(runSettings, name, value), labels, secrets);
  }
}
