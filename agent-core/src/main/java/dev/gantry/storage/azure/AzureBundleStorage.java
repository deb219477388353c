package dev.gantry.storage.azure;

import com.azure.storage.blob.BlobClient;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.azure.AzureFailure.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Bundles in an Azure blob container: {@code PREFIX/FLOW/SHA256.gantry} for serialized bundles, so
 * a stored blob never changes a registered flow, and {@code PREFIX/FLOW/source.gantry} for source
 * bundles, so replacing it hot-reloads. The SDK uploads from the file in blocks and downloads
 * straight to the target file, whose digest the loader checks afterwards.
 */
public final class AzureBundleStorage implements BundleStorage {
  private final AzureBlob storage;
  private final String prefix;
  private final String connectionString;

  /**
   * @param connectionString the value of the storage's credentials secret
   */
  public AzureBundleStorage(AzureBlob storage, String connectionString) {
    this.storage = storage;
    this.prefix = normalizePrefix(storage.prefix());
    this.connectionString = connectionString;
  }

  /** The blob name of a bundle: the storage's prefix, then {@link BundleStorage#key}. */
  public String blobName(String flowName, BundleFormat format, String digest) {
    String key = BundleStorage.key(flowName, format, digest);
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    AzureLocation location =
        new AzureLocation(
            storage.account(),
            storage.container(),
            blobName(flowName, format, digest),
            storage.credentialsSecretName());
    AzureConnection connection =
        AzureConnection.fromSecret(storage.credentialsSecretName(), connectionString, location);
    BlobClient blob = connection.blob(location.container(), location.blob());
    try {
      blob.uploadFromFile(bundle.toString(), true);
    } catch (UncheckedIOException e) {
      throw new StorageException(
          "cannot read the bundle " + bundle + " to upload it to " + location.blobName(), e);
    } catch (RuntimeException e) {
      throw AzureFailure.describe(Operation.UPLOAD, location, connection, e);
    }
    return location.toUri();
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    AzureLocation parsed = AzureLocation.parse(location);
    download(
        parsed,
        AzureConnection.fromSecret(parsed.credentialsSecret(), connectionString, parsed),
        target);
  }

  /**
   * Fetches the bundle at an Azure location as the bootstrap does: with the connection string of
   * the secret the location names, read from its {@code GANTRY_SECRET_<NAME>} variable.
   *
   * @throws StorageException naming the blob (or the secret) and what to do
   */
  public static void fetch(
      String flowName, AzureLocation location, Path target, Map<String, String> environment)
      throws IOException {
    String secret = location.credentialsSecret();
    String value = environment.get(Secrets.variable(secret));
    if (value == null) {
      throw new StorageException(
          "the bundle of flow '"
              + flowName
              + "' at "
              + location.blobName()
              + " is read with the connection string in secret "
              + secret
              + ", but this run was not given it ("
              + Secrets.variable(secret)
              + " is not set); register the flow again so the secret is among its secrets");
    }
    download(location, AzureConnection.fromSecret(secret, value, location), target);
  }

  private static void download(AzureLocation location, AzureConnection connection, Path target) {
    BlobClient blob = connection.blob(location.container(), location.blob());
    try {
      blob.downloadToFile(target.toString(), true);
    } catch (UncheckedIOException e) {
      throw new StorageException(
          "download of "
              + location.blobName()
              + " into "
              + target
              + " failed: "
              + e.getCause().getMessage()
              + "; check the space in the run's temporary directory and run the flow again",
          e);
    } catch (RuntimeException e) {
      throw AzureFailure.describe(Operation.DOWNLOAD, location, connection, e);
    }
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
    String where = storage.account() + "/" + storage.container();
    return "Azure Blob storage azblob://" + (prefix.isEmpty() ? where : where + "/" + prefix);
  }
}
