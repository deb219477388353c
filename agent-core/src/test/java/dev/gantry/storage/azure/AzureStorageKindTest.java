package dev.gantry.storage.azure;

import com.azure.core.util.BinaryData;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.StorageKindContractTest;
import java.util.Map;
import java.util.UUID;

/**
 * The storage-kind contract on a real Azure Blob service (Azurite): the bootstrap runs in a child
 * JVM with the connection string as its only credential.
 */
class AzureStorageKindTest extends StorageKindContractTest {
  private static final String CONTAINER = "kind-flows";
  private static final String SECRET = "TEAM_AZURE";
  private AzuriteServer azurite;

  @Override
  protected void startServer() {
    azurite = AzuriteServer.find(dir);
    azurite.container(CONTAINER);
    vault.set(SECRET, azurite.connectionString());
  }

  @Override
  protected void stopServer() {
    if (azurite != null) {
      azurite.close();
    }
  }

  @Override
  protected Storage storage(boolean defaultLabels) {
    AzureBlob azure =
        AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER)
            .prefix(UUID.randomUUID().toString())
            .credentials(SECRET);
    return defaultLabels ? azure : azure.withoutDefaultLabels();
  }

  @Override
  protected String defaultLabel() {
    return AzureBlob.DEFAULT_LABEL;
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of(SECRET, azurite.connectionString());
  }

  /** The account's connection string with another (well-formed) key. */
  @Override
  protected Map<String, String> wrongSecrets() {
    return Map.of(SECRET, azurite.connectionString(AzureStorageTest.WRONG_KEY));
  }

  @Override
  protected void tamper(RegisteredFlow flow) {
    AzureLocation location = AzureLocation.parse(flow.location());
    azurite
        .container(location.container())
        .getBlobClient(location.blob())
        .upload(BinaryData.fromString("replaced"), true);
  }

  @Override
  protected void delete(RegisteredFlow flow) {
    AzureLocation location = AzureLocation.parse(flow.location());
    azurite.container(location.container()).getBlobClient(location.blob()).delete();
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return AzureLocation.parse(flow.location()).blobName();
  }
}
