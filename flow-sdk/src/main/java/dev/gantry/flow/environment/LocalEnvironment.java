package dev.gantry.flow.environment;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The flow runs in one process (a child JVM or one container) on whatever agent takes it, with the
 * settings every launcher applies: environment variables and a run timeout.
 *
 * <pre>{@code flow.environment(LocalEnvironment.withMetadata(Map.of("image", "acme/etl:1.4")));}
 * </pre>
 */
public record LocalEnvironment(
    Map<String, String> metadata,
    Set<String> labels,
    Set<String> secrets,
    Map<String, String> runSettings)
    implements Environment {

  public LocalEnvironment {
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    labels = Set.copyOf(Objects.requireNonNull(labels, "labels"));
    secrets = Set.copyOf(Objects.requireNonNull(secrets, "secrets"));
    runSettings = RunSettings.copyOf(Objects.requireNonNull(runSettings, "runSettings"));
  }

  public LocalEnvironment(Map<String, String> metadata, Set<String> labels, Set<String> secrets) {
    this(metadata, labels, secrets, Map.of());
  }

  public static LocalEnvironment withMetadata(Map<String, String> metadata) {
    return new LocalEnvironment(metadata, Set.of(), Set.of());
  }

  public static LocalEnvironment withImage(String image) {
    return withMetadata(Map.of("image", Objects.requireNonNull(image, "image")));
  }

  public LocalEnvironment labels(String... more) {
    return new LocalEnvironment(metadata, RunSettings.plus(labels, more), secrets, runSettings);
  }

  public LocalEnvironment secrets(String... more) {
    return new LocalEnvironment(metadata, labels, RunSettings.plus(secrets, more), runSettings);
  }

  public LocalEnvironment metadata(String key, String value) {
    Map<String, String> all = new LinkedHashMap<>(metadata);
    all.put(key, value);
    return new LocalEnvironment(all, labels, secrets, runSettings);
  }

  /** An environment variable of every run. */
  public LocalEnvironment env(String name, String value) {
    return setting(RunSetting.ENV.key() + name, value);
  }

  /** The longest a run may take; the agent stops it then and it ends timed out. */
  public LocalEnvironment runTimeout(Duration timeout) {
    return setting(RunSetting.RUN_TIMEOUT.key(), timeout.toString());
  }

  private LocalEnvironment setting(String name, String value) {
    return new LocalEnvironment(
        metadata, labels, secrets, RunSettings.with(runSettings, name, value));
  }
}
