package dev.gantry.storage.gcs;

import dev.gantry.flow.storage.Gcs;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Google Cloud Storage as a storage kind: {@code gs://} locations, the SDK's {@link Gcs}. */
public final class GcsStorageProvider implements StorageProvider {
  /** Looked up on first use, so a broken GCS set-up never keeps the other kinds from loading. */
  private volatile GcsClients clients;

  @Override
  public String scheme() {
    return GcsLocation.SCHEME;
  }

  @Override
  public boolean handles(String location) {
    return GcsLocation.isGcs(location);
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof Gcs;
  }

  /**
   * Registration uploads with the service-account key in the storage's secret when the local
   * secrets hold it, else with Application Default Credentials.
   */
  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    Gcs gcs = (Gcs) description;
    GcsCredentials credentials = GcsCredentials.applicationDefault();
    String name = gcs.credentialsSecretName();
    if (name != null) {
      Optional<String> value;
      try {
        value = context.secrets().find(name);
      } catch (StorageException e) {
        throw new StorageException(
            e.getMessage() + " (it signs the upload to gs://" + gcs.bucket() + ")",
            e.getCause() != null ? e.getCause() : e);
      }
      if (value.isPresent()) {
        credentials = GcsCredentials.fromSecret(name, value.get());
      }
    }
    return new GcsBundleStorage(gcs, credentials, clients());
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    GcsBundleStorage.fetch(flowName, GcsLocation.parse(location), target, environment, clients());
  }

  private GcsClients clients() {
    GcsClients found = clients;
    if (found == null) {
      found = GcsClients.installed();
      clients = found;
    }
    return found;
  }

  /** The bucket, prefix and credentials secret the location names. */
  @Override
  public Optional<Storage> sourceStorageAt(String flowName, String location) {
    GcsLocation parsed = GcsLocation.parse(location);
    return StorageProvider.sourcePrefix(parsed.object(), flowName)
        .map(
            prefix -> {
              Gcs gcs = Gcs.bucket(parsed.bucket()).storedAsSource();
              gcs = prefix.isEmpty() ? gcs : gcs.prefix(prefix);
              return parsed.credentialsSecret() == null
                  ? gcs
                  : gcs.credentials(parsed.credentialsSecret());
            });
  }
}
