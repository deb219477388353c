package dev.gantry.cli;

import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.AzureBlob;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage azblob://ACCOUNT/CONTAINER/PREFIX}: the bundle goes
 * to an Azure blob container, uploaded and fetched with the storage account's connection string in
 * a named secret ({@code AZURE_STORAGE_CONNECTION_STRING} unless another is named).
 */
public final class AzureStorageOptions {
  static final String SCHEME = "azblob://";

  @Option(
      names = "--azure-credentials-secret",
      paramLabel = "NAME",
      description =
          "The secret holding the storage account's connection string, which uploads the bundle"
              + " and fetches it in the runs; it becomes one of the flow's secrets. Default: "
              + AzureBlob.DEFAULT_CREDENTIALS_SECRET
              + ".")
  String credentialsSecret;

  static boolean isAzure(String storage) {
    return storage != null && storage.startsWith(SCHEME);
  }

  boolean anyGiven() {
    return credentialsSecret != null;
  }

  /** The Azure Blob storage {@code azblob://ACCOUNT/CONTAINER[/PREFIX]} with these options. */
  AzureBlob storage(String uri) {
    String[] parts = uri.substring(SCHEME.length()).split("/", 3);
    if (parts.length < 2
        || parts[0].isBlank()
        || parts[1].isBlank()
        || uri.contains("?")
        || uri.contains("#")) {
      throw new UserError(
          "--storage "
              + uri
              + " is not azblob://ACCOUNT/CONTAINER or azblob://ACCOUNT/CONTAINER/PREFIX (no"
              + " query; name the connection string's secret with --azure-credentials-secret)");
    }
    AzureBlob storage;
    try {
      storage = AzureBlob.container(parts[0], parts[1]);
    } catch (IllegalArgumentException e) {
      throw new UserError("--storage " + uri + ": " + e.getMessage());
    }
    if (parts.length == 3 && !parts[2].isBlank()) {
      storage = storage.prefix(parts[2]);
    }
    if (credentialsSecret != null) {
      try {
        Secrets.checkName(credentialsSecret);
      } catch (IllegalArgumentException e) {
        throw new UserError("--azure-credentials-secret: " + e.getMessage());
      }
      storage = storage.credentials(credentialsSecret);
    }
    return storage;
  }
}
