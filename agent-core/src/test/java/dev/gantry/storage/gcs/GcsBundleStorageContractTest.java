package dev.gantry.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BlobId;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.storage.BundleLocations;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.BundleStorageContractTest;
import dev.gantry.storage.StorageException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on GCS. No GCS server can run here: the service is Google's in-process test
 * storage ({@link InProcessGcsClients}); everything else is the production code path.
 */
class GcsBundleStorageContractTest extends BundleStorageContractTest {
  private static final String BUCKET = "contract-flows";
  private static final String SECRET = Gcs.DEFAULT_CREDENTIALS_SECRET;
  private static final String KEY = ServiceAccountKeys.keyJson("registrar");
  private static final String RUN_KEY = ServiceAccountKeys.keyJson("runner");

  @Override
  protected BundleStorage storage() {
    return new GcsBundleStorage(
        Gcs.bucket(BUCKET).prefix("team-a/flows").secrets(SECRET),
        GcsCredentials.fromSecret(SECRET, KEY),
        GcsClients.installed());
  }

  @Override
  protected Map<String, String> runEnvironment() {
    return Map.of("GANTRY_SECRET_" + SECRET, RUN_KEY);
  }

  @Override
  protected void deleteStored(String location) {
    GcsLocation parsed = GcsLocation.parse(location);
    InProcessGcsClients.STORAGE.delete(BlobId.of(parsed.bucket(), parsed.object()));
  }

  @Override
  protected String named(String location) {
    return GcsLocation.parse(location).objectName();
  }

  @Test
  void theUploadUsesTheRegistrarsKeyAndTheRunTheKeyItWasGiven() throws Exception {
    Path bundle = randomFile("who", 300);
    String location = storage().store("who", BundleFormat.serialized, Sha256.of(bundle), bundle);
    assertThat(InProcessGcsClients.accounts())
        .last()
        .isEqualTo(ServiceAccountKeys.email("registrar"));

    BundleLocations.fetch("who", location, work.resolve("who-fetched"), runEnvironment());

    assertThat(InProcessGcsClients.accounts()).last().isEqualTo(ServiceAccountKeys.email("runner"));
    assertThat(location)
        .startsWith("gs://" + BUCKET + "/team-a/flows/who/")
        .endsWith("?credentials=" + SECRET)
        .doesNotContain("private_key");
  }

  @Test
  void aRunWithoutTheSecretFailsNamingTheObjectAndTheVariable() throws Exception {
    Path bundle = randomFile("nosecret", 100);
    String location =
        storage().store("nosecret", BundleFormat.serialized, Sha256.of(bundle), bundle);

    assertThatThrownBy(
            () -> BundleLocations.fetch("nosecret", location, work.resolve("t"), Map.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(named(location))
        .hasMessageContaining("GANTRY_SECRET_GCP_CREDENTIALS is not set");
  }

  @Test
  void aSecretThatIsNoServiceAccountKeyFailsNamingTheObjectAndSecretButNotTheValue()
      throws Exception {
    Path bundle = randomFile("badkey", 100);
    String location = storage().store("badkey", BundleFormat.serialized, Sha256.of(bundle), bundle);
    String notAKey = "{\"type\": \"authorized_user\", \"refresh_token\": \"tok-3141\"}";

    assertThatThrownBy(
            () ->
                BundleLocations.fetch(
                    "badkey",
                    location,
                    work.resolve("t"),
                    Map.of("GANTRY_SECRET_" + SECRET, notAKey)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(named(location))
        .hasMessageContaining("secret " + SECRET + " is not a service-account key")
        .hasMessageNotContaining("tok-3141")
        .message()
        .doesNotContain("\n");
  }

  @Test
  void malformedLocationsAreRefusedNamingThem() {
    assertThatThrownBy(() -> GcsLocation.parse("gs://bucket"))
        .hasMessage("bundle location gs://bucket is not a valid GCS location (it names no object)");
    assertThatThrownBy(() -> GcsLocation.parse("gs://b/o?region=x"))
        .hasMessageContaining("unknown parameter 'region'");
    GcsLocation spaced = new GcsLocation("b", "team a/etl/source.gantry", "MY_KEY");
    assertThat(GcsLocation.parse(spaced.toUri())).isEqualTo(spaced);
  }
}
