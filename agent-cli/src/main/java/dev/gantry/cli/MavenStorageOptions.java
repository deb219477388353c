package dev.gantry.cli;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.Maven;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.maven.MavenBundleStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage maven:GROUP:ARTIFACT:VERSION}: the repository and
 * the secret with its credentials. The flow's jars are resolved from the repository, not given.
 */
public final class MavenStorageOptions {
  static final String SCHEME = "maven:";

  @Option(
      names = "--maven-repo",
      paramLabel = "URL",
      description =
          "The Maven repository the artifact is deployed to (Nexus, Artifactory, GitHub Packages,"
              + " any HTTP server in repository layout); needs --storage maven:G:A:V.")
  String repository;

  @Option(
      names = "--maven-credentials-secret",
      paramLabel = "NAME",
      description =
          "The secret with the repository's credentials: JSON {\"username\": ..., \"token\": ...}"
              + " or a settings.xml server entry; it becomes one of the flow's secrets. Default:"
              + " anonymous.")
  String credentialsSecret;

  static boolean isMaven(String storage) {
    return storage != null && storage.startsWith(SCHEME);
  }

  boolean anyGiven() {
    return repository != null || credentialsSecret != null;
  }

  /** The Maven storage {@code maven:GROUP:ARTIFACT:VERSION} with these options. */
  Maven storage(String value) {
    if (repository == null
        || !(repository.startsWith("http://")
            || repository.startsWith("https://")
            || repository.startsWith("file:"))) {
      throw new UserError(
          "--storage " + value + " needs --maven-repo URL (http://, https:// or file:)");
    }
    Maven storage;
    try {
      storage = Maven.artifact(value.substring(SCHEME.length()), repository);
    } catch (IllegalArgumentException e) {
      throw new UserError("--storage: " + e.getMessage());
    }
    if (credentialsSecret != null) {
      try {
        Secrets.checkName(credentialsSecret);
      } catch (IllegalArgumentException e) {
        throw new UserError("--maven-credentials-secret: " + e.getMessage());
      }
      storage = storage.credentials(credentialsSecret);
    }
    return storage;
  }

  /** Resolves the flow's jars into {@code directory}, with the credentials in the local secret. */
  static List<Path> jars(Maven storage, DatabaseGantryClient gantry, Path directory) {
    SecretVault vault = SecretVault.of(gantry.backend(), gantry.home().dir());
    try {
      return new MavenBundleStorage(storage, MavenBundleStorage.credentials(storage, vault::find))
          .resolveJars(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("resolving maven:" + storage.coordinate() + ": " + e, e);
    }
  }
}
