package dev.gantry.storage.azure;

import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Azure Blob Storage as a storage kind: {@code azblob://} locations, the SDK's {@link AzureBlob}.
 */
public final class AzureStorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return AzureLocation.SCHEME;
  }

  @Override
  public boolean handles(String location) {
    return AzureLocation.isAzure(location);
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof AzureBlob;
  }

  /** Registration uploads with the connection string in the storage's secret, which must be set. */
  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    AzureBlob azure = (AzureBlob) description;
    String name = azure.credentialsSecretName();
    String where = "azblob://" + azure.account() + "/" + azure.container();
    Optional<String> value;
    try {
      value = context.secrets().find(name);
    } catch (StorageException e) {
      throw new StorageException(
          e.getMessage() + " (it connects the upload to " + where + ")",
          e.getCause() != null ? e.getCause() : e);
    }
    return new AzureBundleStorage(
        azure,
        value.orElseThrow(
            () ->
                new StorageException(
                    "no secret "
                        + name
                        + " for the upload to "
                        + where
                        + ": set it to the storage account's connection string with `gantry"
                        + " secret set "
                        + name
                        + " --from-file FILE`")));
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    AzureBundleStorage.fetch(flowName, AzureLocation.parse(location), target, environment);
  }

  /** The account, container, prefix and connection-string secret the location names. */
  @Override
  public Optional<Storage> sourceStorageAt(String flowName, String location) {
    AzureLocation parsed = AzureLocation.parse(location);
    return StorageProvider.sourcePrefix(parsed.blob(), flowName)
        .map(
            prefix -> {
              AzureBlob azure =
                  AzureBlob.container(parsed.account(), parsed.container()).storedAsSource();
              azure = prefix.isEmpty() ? azure : azure.prefix(prefix);
              return azure.credentials(parsed.credentialsSecret());
            });
  }
}
