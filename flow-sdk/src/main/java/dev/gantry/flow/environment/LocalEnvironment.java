package dev.gantry.flow.environment;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The flow runs in one process (a child JVM or one container) on whatever agent takes it.
 *
 * <pre>{@code flow.environment(LocalEnvironment.withMetadata(Map.of("image", "acme/etl:1.4")));}
 * </pre>
 */
public record LocalEnvironment(
    Map<String, String> metadata, Set<String> labels, Set<String> secrets) implements Environment {

  public LocalEnvironment {
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    labels = Set.copyOf(Objects.requireNonNull(labels, "labels"));
    secrets = Set.copyOf(Objects.requireNonNull(secrets, "secrets"));
  }

  public static LocalEnvironment withMetadata(Map<String, String> metadata) {
    return new LocalEnvironment(metadata, Set.of(), Set.of());
  }

  public static LocalEnvironment withImage(String image) {
    return withMetadata(Map.of("image", Objects.requireNonNull(image, "image")));
  }

  public LocalEnvironment labels(String... more) {
    Set<String> all = new LinkedHashSet<>(labels);
    all.addAll(Set.of(more));
    return new LocalEnvironment(metadata, all, secrets);
  }

  public LocalEnvironment secrets(String... more) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(Set.of(more));
    return new LocalEnvironment(metadata, labels, all);
  }

  public LocalEnvironment metadata(String key, String value) {
    Map<String, String> all = new LinkedHashMap<>(metadata);
    all.put(key, value);
    return new LocalEnvironment(all, labels, secrets);
  }
}
