package dev.gantry.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.storage.BundleLocations;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong with Azure Blob storage, against a real Azure Blob service (Azurite): each
 * failure is one line naming the blob or container and what to do, and never the connection string.
 */
class AzureStorageTest {
  /** A well-formed account key that is not the account's. */
  static final String WRONG_KEY =
      "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk4Mg==";

  private static final String CONTAINER = "errors-flows";
  private static final String SECRET = AzureBlob.DEFAULT_CREDENTIALS_SECRET;

  @TempDir static Path serverDir;
  @TempDir Path work;
  private static AzuriteServer azurite;
  private final AzureStorageProvider provider = new AzureStorageProvider();

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

  @Test
  void aWrongKeyFailsRegistrationNamingTheBlobAndTheSecretButNotTheKey() {
    BundleStorage storage = open(AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER), WRONG_KEY);

    assertOneLine(() -> store(storage, "wrongkey"))
        .hasMessageStartingWith("Azure refused the account key for the upload to azblob://")
        .hasMessageContaining("/" + CONTAINER + "/wrongkey/")
        .hasMessageContaining("secret " + SECRET)
        .hasMessageNotContaining(WRONG_KEY);
  }

  @Test
  void aMissingContainerFailsRegistrationSayingToCreateIt() {
    BundleStorage storage =
        open(AzureBlob.container(AzuriteServer.ACCOUNT, "no-such-container"), null);

    assertOneLine(() -> store(storage, "nocontainer"))
        .hasMessageStartingWith("Azure blob container 'no-such-container' does not exist")
        .hasMessageContaining("azblob://devstoreaccount1/no-such-container/nocontainer/")
        .hasMessageContaining("create it");
  }

  @Test
  void aContainerDeletedAfterRegistrationFailsTheRunSayingToRegisterAgain() throws IOException {
    String container = "deleted-later";
    azurite.container(container);
    String location =
        store(open(AzureBlob.container(AzuriteServer.ACCOUNT, container), null), "gone");
    azurite.client().deleteBlobContainer(container);

    assertOneLine(() -> fetch(location, azurite.connectionString()))
        .hasMessageContaining("container '" + container + "' does not exist")
        .hasMessageContaining(AzureLocation.parse(location).blobName())
        .hasMessageContaining("register the flow again");
  }

  @Test
  void aValueThatIsNoConnectionStringNamesTheSecretButNotTheValue() throws IOException {
    String location =
        store(open(AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER), null), "bad");

    assertOneLine(() -> fetch(location, "sv=2024&sig=secret-sig-1618"))
        .hasMessageContaining(
            "secret " + SECRET + " (for " + AzureLocation.parse(location).blobName())
        .hasMessageContaining("lacks AccountName, or both AccountKey and SharedAccessSignature")
        .hasMessageContaining("gantry secret set " + SECRET)
        .hasMessageNotContaining("secret-sig-1618");
  }

  @Test
  void aConnectionStringOfAnotherAccountIsRefusedBeforeAnyRequest() {
    BundleStorage storage = open(AzureBlob.container("acmeflows", CONTAINER), null);

    assertOneLine(() -> store(storage, "other"))
        .hasMessageContaining(
            "secret " + SECRET + " connects to the storage account 'devstoreaccount1'")
        .hasMessageContaining("is in the account 'acmeflows'");
  }

  @Test
  void registeringWithoutTheSecretSaysToSetIt() {
    assertOneLine(
            () ->
                provider.open(
                    AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER),
                    new StorageContext(work, StorageContext.SecretLookup.NONE)))
        .hasMessage(
            "no secret "
                + SECRET
                + " for the upload to azblob://devstoreaccount1/"
                + CONTAINER
                + ": set it to the storage account's connection string with `gantry secret set "
                + SECRET
                + " --from-file FILE`");
  }

  @Test
  void anUnreachableAccountFailsTheRunNamingTheEndpointsSecret() throws IOException {
    String location =
        store(open(AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER), null), "far");
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String elsewhere =
        azurite.connectionString().replace(azurite.endpoint(), "http://127.0.0.1:" + closed + "/x");

    assertOneLine(() -> fetch(location, elsewhere))
        .hasMessageStartingWith("cannot reach the Azure storage account 'devstoreaccount1' for ")
        .hasMessageContaining("check the endpoint in the connection string in secret " + SECRET);
  }

  @Test
  void theLocationNamesTheSecretOnlyWhenItIsNotTheDefault() {
    AzureLocation plain = new AzureLocation("a", "c", "p/etl/source.gantry", SECRET);
    AzureLocation named = new AzureLocation("a", "c", "team a/etl/x.gantry", "TEAM_AZURE");

    assertThat(plain.toUri()).isEqualTo("azblob://a/c/p/etl/source.gantry");
    assertThat(named.toUri())
        .isEqualTo("azblob://a/c/team%20a/etl/x.gantry?credentials=TEAM_AZURE");
    assertThat(AzureLocation.parse(plain.toUri())).isEqualTo(plain);
    assertThat(AzureLocation.parse(named.toUri())).isEqualTo(named);
    assertThatThrownBy(() -> AzureLocation.parse("azblob://a/c"))
        .hasMessage(
            "bundle location azblob://a/c is not a valid Azure Blob location (it names no"
                + " container and blob)");
  }

  private BundleStorage open(AzureBlob storage, String key) {
    String value = key == null ? azurite.connectionString() : azurite.connectionString(key);
    return provider.open(storage, new StorageContext(work, name -> Optional.of(value)));
  }

  private String store(BundleStorage storage, String flow) throws IOException {
    Path bundle = Files.writeString(work.resolve(flow + ".gantry"), "bundle of " + flow);
    return storage.store(flow, BundleFormat.serialized, Sha256.of(bundle), bundle);
  }

  private void fetch(String location, String connectionString) throws IOException {
    BundleLocations.fetch(
        "flow",
        location,
        work.resolve("fetched"),
        Map.of("GANTRY_SECRET_" + SECRET, connectionString));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertOneLine(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    AbstractThrowableAssert<?, ? extends Throwable> failure =
        assertThatThrownBy(call).isInstanceOf(StorageException.class);
    failure.message().doesNotContain("\n");
    return failure;
  }
}
