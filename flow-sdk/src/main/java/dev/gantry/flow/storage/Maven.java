package dev.gantry.flow.storage;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A flow whose jar lives in a Maven repository (Nexus, Artifactory, GitHub Packages, a directory
 * served over HTTP): the run resolves {@code GROUP:ARTIFACT:VERSION} and its runtime dependencies
 * and builds the flow with its factory. A release is frozen (the artifacts' SHA-256 recorded at
 * registration are checked at every run); a {@code -SNAPSHOT} is resolved anew at every run (hot
 * reload). Its default label is {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(Maven.artifact("com.acme:flows:1.4.0", "https://repo.acme/releases")
 *     .credentials("MAVEN_CREDENTIALS"));}</pre>
 *
 * @param coordinate {@code GROUP:ARTIFACT:VERSION}
 * @param repository the repository's URL
 * @param credentialsSecret the secret with the repository's credentials (username/token JSON or a
 *     settings.xml {@code <server>}), or null for an anonymous repository
 */
public record Maven(
    String coordinate,
    String repository,
    String credentialsSecret,
    boolean defaultLabelsEnabled,
    Set<String> secrets)
    implements Storage {

  public static final String DEFAULT_LABEL = "maven-flow-storage";

  public Maven {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(repository, "repository");
    if (coordinate.split(":", -1).length != 3 || coordinate.contains("::")) {
      throw new IllegalArgumentException(
          "Maven coordinate '" + coordinate + "' is not GROUP:ARTIFACT:VERSION");
    }
    secrets = Set.copyOf(secrets);
    if (credentialsSecret != null && !secrets.contains(credentialsSecret)) {
      throw new IllegalArgumentException(
          "the credentials secret '"
              + credentialsSecret
              + "' must be one of the storage's secrets");
    }
  }

  public static Maven artifact(String coordinate, String repository) {
    return new Maven(coordinate, repository, null, true, Set.of());
  }

  /** Reads the repository with the credentials in this secret, which joins the flow's secrets. */
  public Maven credentials(String secret) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.add(Objects.requireNonNull(secret, "secret"));
    return new Maven(coordinate, repository, secret, defaultLabelsEnabled, all);
  }

  public Maven withoutDefaultLabels() {
    return new Maven(coordinate, repository, credentialsSecret, false, secrets);
  }

  /** Whether the version is a snapshot, resolved anew at every run. */
  public boolean snapshot() {
    return coordinate.endsWith("-SNAPSHOT");
  }

  /** The jar and factory travel as a source bundle built from the resolved artifacts. */
  @Override
  public Format format() {
    return Format.SOURCE;
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }
}
