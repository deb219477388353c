package dev.gantry.server.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.flow.storage.Storage;
import org.junit.jupiter.api.Test;

/** The JSON kind {@code image} of a registration's storage. */
class OciImageJsonTest {

  @Test
  void anImageStorageTravelsAsKindImageWithItsLoginSecretsName() throws Exception {
    OciImage image =
        OciImage.at("127.0.0.1:5000/flows/etl:1")
            .credentials("REGISTRY_LOGIN")
            .onBase("docker://gantry:0.1.0");

    String json = Json.mapper().writeValueAsString(image);

    assertThat(json)
        .contains("\"kind\":\"image\"")
        .contains("\"credentialsSecret\":\"REGISTRY_LOGIN\"")
        .contains("\"reference\":\"127.0.0.1:5000/flows/etl:1\"");
    assertThat(Json.mapper().readValue(json, Storage.class)).isEqualTo(image);
  }

  @Test
  void aReferenceWithADigestIsRefusedNamingIt() {
    assertThatThrownBy(
            () ->
                Json.mapper()
                    .readValue(
                        "{\"kind\":\"image\",\"reference\":\"r/x@sha256:00\","
                            + "\"defaultLabelsEnabled\":true}",
                        Storage.class))
        .isInstanceOf(JsonMappingException.class)
        .hasMessageContaining("image storage 'r/x@sha256:00' is not REGISTRY/REPO:TAG");
  }
}
