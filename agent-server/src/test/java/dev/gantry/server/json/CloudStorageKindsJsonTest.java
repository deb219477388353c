package dev.gantry.server.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.flow.storage.Storage;
import org.junit.jupiter.api.Test;

/** The JSON kinds {@code gcs} and {@code azblob} of a registration's storage. */
class CloudStorageKindsJsonTest {

  @Test
  void aGcsStorageTravelsAsKindGcsWithItsSecretsName() throws Exception {
    Gcs gcs = Gcs.bucket("flows").prefix("team-a").credentials("TEAM_GCP").storedAsSource();

    String json = Json.mapper().writeValueAsString(gcs);

    assertThat(json).contains("\"kind\":\"gcs\"").contains("\"credentialsSecret\":\"TEAM_GCP\"");
    assertThat(Json.mapper().readValue(json, Storage.class)).isEqualTo(gcs);
  }

  @Test
  void anAzureStorageTravelsAsKindAzblobAndAlwaysNamesItsConnectionStringSecret() throws Exception {
    AzureBlob azure = AzureBlob.container("acmeflows", "flows").withoutDefaultLabels();

    String json = Json.mapper().writeValueAsString(azure);

    assertThat(json).contains("\"kind\":\"azblob\"").contains(AzureBlob.DEFAULT_CREDENTIALS_SECRET);
    assertThat(Json.mapper().readValue(json, Storage.class)).isEqualTo(azure);
  }

  @Test
  void aMalformedCloudStorageIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                Json.mapper()
                    .readValue(
                        "{\"kind\":\"azblob\",\"account\":\"a/b\",\"container\":\"c\","
                            + "\"format\":\"SERIALIZED\",\"defaultLabelsEnabled\":true,"
                            + "\"secrets\":[]}",
                        Storage.class))
        .isInstanceOf(JsonMappingException.class)
        .hasMessageContaining("invalid Azure storage account name 'a/b'");
  }
}
