package dev.gantry.storage.azure;

import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.BundleStorageContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on a real Azure Blob service (Azurite), under a blob prefix. */
class AzureBundleStorageContractTest extends BundleStorageContractTest {
  private static final String CONTAINER = "contract-flows";

  @TempDir static Path serverDir;
  private static AzuriteServer azurite;

  @BeforeAll
  static void startServer() {
    azurite = AzuriteServer.find(serverDir);
    azurite.container(CONTAINER);
  }

  @AfterAll
  static void stopServer() {
    if (azurite != null) {
      azurite.close();
    }
  }

  @Override
  protected BundleStorage storage() {
    return new AzureBundleStorage(
        AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER).prefix("team-a/flows"),
        azurite.connectionString());
  }

  @Override
  protected Map<String, String> runEnvironment() {
    return Map.of(
        "GANTRY_SECRET_" + AzureBlob.DEFAULT_CREDENTIALS_SECRET, azurite.connectionString());
  }

  @Override
  protected void deleteStored(String location) {
    AzureLocation parsed = AzureLocation.parse(location);
    azurite.container(parsed.container()).getBlobClient(parsed.blob()).delete();
  }

  @Override
  protected String named(String location) {
    return AzureLocation.parse(location).blobName();
  }
}
