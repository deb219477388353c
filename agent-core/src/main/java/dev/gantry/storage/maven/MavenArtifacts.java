package dev.gantry.storage.maven;

import dev.gantry.bundle.Sha256;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.AuthenticationBuilder;

/**
 * Resolves a flow's artifact and its runtime dependencies from one Maven repository with Maven
 * Resolver, into a fresh local repository, failing on any checksum mismatch. Each resolution starts
 * empty, so a snapshot is always its newest build and nothing stale is reused.
 */
public final class MavenArtifacts {
  private MavenArtifacts() {}

  /** One resolved file: its coordinate (a snapshot's is its timestamped build) and SHA-256. */
  public record Resolved(Artifact artifact, Path path, String sha256) {
    /** GROUP:ARTIFACT:EXTENSION[:CLASSIFIER]:BASEVERSION, the key a frozen digest is kept under. */
    public String key() {
      return artifact.getGroupId()
          + ":"
          + artifact.getArtifactId()
          + ":"
          + artifact.getExtension()
          + (artifact.getClassifier().isEmpty() ? "" : ":" + artifact.getClassifier())
          + ":"
          + artifact.getBaseVersion();
    }
  }

  /**
   * The artifact first, then its runtime dependencies.
   *
   * @param credentials null for an anonymous repository
   * @throws StorageException naming the coordinate, the repository and what to do
   */
  public static List<Resolved> resolve(
      String coordinate, String repository, MavenCredentials credentials, Path localRepository)
      throws IOException {
    RemoteRepository.Builder remote =
        new RemoteRepository.Builder("gantry-flows", "default", repository)
            .setPolicy(
                new RepositoryPolicy(
                    true,
                    RepositoryPolicy.UPDATE_POLICY_ALWAYS,
                    RepositoryPolicy.CHECKSUM_POLICY_FAIL));
    if (credentials != null) {
      remote.setAuthentication(
          new AuthenticationBuilder()
              .addUsername(credentials.username())
              .addPassword(credentials.password())
              .build());
    }
    Artifact root;
    try {
      root = new DefaultArtifact(coordinate);
    } catch (IllegalArgumentException e) {
      throw new StorageException(
          "Maven coordinate " + coordinate + " is not GROUP:ARTIFACT:VERSION");
    }
    RepositorySystem system = new RepositorySystemSupplier().get();
    try (CloseableSession session =
        new SessionBuilderSupplier(system)
            .get()
            .withLocalRepositoryBaseDirectories(localRepository)
            .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL)
            .setUpdatePolicy(RepositoryPolicy.UPDATE_POLICY_ALWAYS)
            .setSystemProperties(System.getProperties())
            .build()) {
      CollectRequest collect =
          new CollectRequest(new Dependency(root, "runtime"), List.of(remote.build()));
      DependencyRequest request =
          new DependencyRequest(collect, DependencyFilterUtils.classpathFilter("runtime"));
      List<Resolved> out = new ArrayList<>();
      for (ArtifactResult result :
          system.resolveDependencies(session, request).getArtifactResults()) {
        Artifact artifact = result.getArtifact();
        out.add(new Resolved(artifact, artifact.getPath(), Sha256.of(artifact.getPath())));
      }
      return out;
    } catch (DependencyResolutionException e) {
      throw MavenFailure.describe(coordinate, repository, e);
    } finally {
      system.shutdown();
    }
  }
}
