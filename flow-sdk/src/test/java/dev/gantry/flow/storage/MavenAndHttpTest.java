package dev.gantry.flow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MavenAndHttpTest {

  @Test
  void aMavenStorageNamesItsCredentialsSecretAndKnowsSnapshots() {
    Maven release = Maven.artifact("com.acme:flows:1.4.0", "https://repo").credentials("MVN");

    assertThat(release.secrets()).containsExactly("MVN");
    assertThat(release.snapshot()).isFalse();
    assertThat(release.format()).isEqualTo(Storage.Format.SOURCE);
    assertThat(release.defaultLabels()).containsExactly(Maven.DEFAULT_LABEL);
    assertThat(release.withoutDefaultLabels().defaultLabelsEnabled()).isFalse();
    assertThat(Maven.artifact("com.acme:flows:1.5-SNAPSHOT", "https://repo").snapshot()).isTrue();
    assertThatThrownBy(() -> Maven.artifact("com.acme:flows", "https://repo"))
        .hasMessageContaining("is not GROUP:ARTIFACT:VERSION");
  }

  @Test
  void anHttpStorageTakesTheSecretsOfItsHeaders() {
    Http http =
        Http.url("https://store/flows")
            .header("Authorization", "secret:TOKEN")
            .header("X-Team", "data");

    assertThat(http.secrets()).containsExactly("TOKEN");
    assertThat(http.defaultLabels()).containsExactly(Http.DEFAULT_LABEL);
    assertThat(http.storedAsSource().format()).isEqualTo(Storage.Format.SOURCE);
    assertThatThrownBy(() -> Http.url("ftp://store/flows")).hasMessageContaining("http://");
    assertThatThrownBy(() -> Http.url("https://store/flows#x")).hasMessageContaining("fragment");
  }
}
