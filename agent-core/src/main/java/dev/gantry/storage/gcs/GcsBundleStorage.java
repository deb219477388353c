package dev.gantry.storage.gcs;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.gcs.GcsFailure.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Bundles in a GCS bucket: {@code PREFIX/FLOW/SHA256.gantry} for serialized bundles, so a stored
 * object never changes a registered flow, and {@code PREFIX/FLOW/source.gantry} for source bundles,
 * so replacing it hot-reloads. Uploads stream from the file (resumable upload), downloads go
 * straight to the target file, whose digest the loader checks afterwards.
 */
public final class GcsBundleStorage implements BundleStorage {
  private final String bucket;
  private final String prefix;
  private final String credentialsSecret;
  private final GcsCredentials credentials;
  private final GcsClients clients;

  public GcsBundleStorage(Gcs storage, GcsCredentials credentials, GcsClients clients) {
    this.bucket = storage.bucket();
    this.prefix = normalizePrefix(storage.prefix());
    // The run reads with the storage's secret even when registration used the default chain.
    this.credentialsSecret = storage.credentialsSecretName();
    this.credentials = credentials;
    this.clients = clients;
  }

  /** The object name of a bundle: the storage's prefix, then {@link BundleStorage#key}. */
  public String objectName(String flowName, BundleFormat format, String digest) {
    String key = BundleStorage.key(flowName, format, digest);
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    GcsLocation location =
        new GcsLocation(bucket, objectName(flowName, format, digest), credentialsSecret);
    Storage storage = open(credentials, location);
    BlobInfo blob =
        BlobInfo.newBuilder(BlobId.of(bucket, location.object()))
            .setContentType("application/octet-stream")
            .build();
    try {
      storage.createFrom(blob, bundle);
    } catch (com.google.cloud.storage.StorageException e) {
      throw GcsFailure.describe(Operation.UPLOAD, location.objectName(), credentials, e);
    }
    return location.toUri();
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    download(GcsLocation.parse(location), credentials, clients, target);
  }

  /**
   * Fetches the bundle at a GCS location as the bootstrap does: with the service-account key of the
   * secret the location names, read from its {@code GANTRY_SECRET_<NAME>} variable, else
   * Application Default Credentials.
   *
   * @throws StorageException naming the object (or the secret) and what to do
   */
  public static void fetch(
      String flowName,
      GcsLocation location,
      Path target,
      Map<String, String> environment,
      GcsClients clients)
      throws IOException {
    GcsCredentials credentials = GcsCredentials.applicationDefault();
    String secret = location.credentialsSecret();
    if (secret != null) {
      String value = environment.get(Secrets.variable(secret));
      if (value == null) {
        throw new StorageException(
            "the bundle of flow '"
                + flowName
                + "' at "
                + location.objectName()
                + " is read with the service-account key in secret "
                + secret
                + ", but this run was not given it ("
                + Secrets.variable(secret)
                + " is not set); register the flow again so the secret is among its secrets");
      }
      try {
        credentials = GcsCredentials.fromSecret(secret, value);
      } catch (StorageException e) {
        throw new StorageException("cannot read " + location.objectName() + ": " + e.getMessage());
      }
    }
    download(location, credentials, clients, target);
  }

  private static void download(
      GcsLocation location, GcsCredentials credentials, GcsClients clients, Path target)
      throws IOException {
    Storage storage = open(credentials, location, clients);
    try {
      Blob blob = storage.get(BlobId.of(location.bucket(), location.object()));
      if (blob == null) {
        throw new StorageException(GcsFailure.missing(location.objectName()));
      }
      blob.downloadTo(target);
    } catch (com.google.cloud.storage.StorageException e) {
      throw GcsFailure.describe(Operation.DOWNLOAD, location.objectName(), credentials, e);
    }
    if (!Files.isRegularFile(target)) {
      throw new StorageException(
          "download of "
              + location.objectName()
              + " wrote no file at "
              + target
              + "; check the space in the run's temporary directory and run the flow again");
    }
  }

  private Storage open(GcsCredentials with, GcsLocation location) {
    return open(with, location, clients);
  }

  private static Storage open(GcsCredentials with, GcsLocation location, GcsClients clients) {
    return clients.open(with.resolve(location.objectName()), with.projectId());
  }

  private static String normalizePrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    String out = prefix.strip();
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  @Override
  public String toString() {
    return "GCS storage gs://" + (prefix.isEmpty() ? bucket : bucket + "/" + prefix);
  }
}
