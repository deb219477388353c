package dev.gantry.storage.maven;

import dev.gantry.bundle.BundleManifest;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.Maven;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.maven.MavenArtifacts.Resolved;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Maven repository as the store of a flow: nothing is uploaded (the jar is already deployed
 * there); storing records where it is, with the factory of the registered bundle and, for a
 * release, the SHA-256 of every resolved artifact.
 */
public final class MavenBundleStorage implements BundleStorage {
  private final Maven storage;
  private final MavenCredentials credentials;

  public MavenBundleStorage(Maven storage, MavenCredentials credentials) {
    this.storage = storage;
    this.credentials = credentials;
  }

  /**
   * The credentials of the storage's secret, read from the local secrets.
   *
   * @throws StorageException when the secret is missing or holds no credentials
   */
  public static MavenCredentials credentials(Maven storage, SecretLookup secrets) {
    String secret = storage.credentialsSecret();
    if (secret == null) {
      return null;
    }
    String value =
        secrets
            .find(secret)
            .orElseThrow(
                () ->
                    new StorageException(
                        "the Maven repository "
                            + storage.repository()
                            + " is read with the credentials in secret "
                            + secret
                            + ", which is not set; set it with `gantry secret set "
                            + secret
                            + "`"));
    return MavenCredentials.parse(secret, value);
  }

  /**
   * Resolves the flow's jars for registration into {@code directory}.
   *
   * @throws StorageException naming the coordinate and the repository
   */
  public List<Path> resolveJars(Path directory) throws IOException {
    return MavenArtifacts.resolve(
            storage.coordinate(), storage.repository(), credentials, directory)
        .stream()
        .map(Resolved::path)
        .toList();
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    if (format != BundleFormat.source) {
      throw new StorageException(
          "maven:"
              + storage.coordinate()
              + " runs the deployed jar: it is registered as source (leave out a serialized"
              + " format)");
    }
    Map<String, String> frozen = new LinkedHashMap<>();
    if (!storage.snapshot()) {
      Path repository = Files.createTempDirectory("gantry-maven-freeze-");
      try {
        for (Resolved r :
            MavenArtifacts.resolve(
                storage.coordinate(), storage.repository(), credentials, repository)) {
          frozen.put(r.key(), r.sha256());
        }
      } finally {
        dev.gantry.bundle.WorkDirectory.deleteQuietly(repository);
      }
    }
    return new MavenLocation(
            storage.coordinate(),
            storage.repository(),
            factoryOf(bundle),
            storage.credentialsSecret(),
            frozen)
        .toUri();
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    MavenRun.fetch(flowName, MavenLocation.parse(location), target, credentials);
  }

  private static String factoryOf(Path bundle) throws IOException {
    try (ZipFile zip = new ZipFile(bundle.toFile())) {
      ZipEntry entry = zip.getEntry(BundleManifest.ENTRY);
      try (InputStream in = zip.getInputStream(entry)) {
        return BundleManifest.parse(in.readAllBytes(), bundle.toString()).factory();
      }
    }
  }

  @Override
  public String toString() {
    return "Maven storage maven:" + storage.coordinate() + " in " + storage.repository();
  }
}
