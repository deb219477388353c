package dev.gantry.flow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.GantryVersion;
import org.junit.jupiter.api.Test;

/** The image storage description: a module flow in a pushed image, its label and its secret. */
class OciImageTest {

  @Test
  void anImageIsAModuleFlowWithItsDefaultLabelAndTheLoginAsItsSecret() {
    OciImage image = OciImage.at("registry.acme:5000/flows/etl:1").credentials("REGISTRY_LOGIN");

    assertThat(image.format()).isEqualTo(Storage.Format.MODULE);
    assertThat(image.defaultLabels()).containsExactly("image-flow-storage");
    assertThat(image.defaultLabelsEnabled()).isTrue();
    assertThat(image.withoutDefaultLabels().defaultLabelsEnabled()).isFalse();
    assertThat(image.secrets()).containsExactly("REGISTRY_LOGIN");
    assertThat(image.effectiveBaseImage()).isEqualTo("docker://gantry:" + GantryVersion.current());
    assertThat(image.onBase("registry.acme:5000/gantry:1").effectiveBaseImage())
        .isEqualTo("registry.acme:5000/gantry:1");
  }

  @Test
  void withoutALoginSecretTheDockerConfigIsUsedAndNoSecretIsNeeded() {
    assertThat(OciImage.at("registry.acme:5000/flows/etl:1").secrets()).isEmpty();
    assertThat(OciImage.at("registry.acme:5000/flows/etl:1").credentials(" ").secrets()).isEmpty();
  }

  @Test
  void aReferenceByDigestOrWithoutARegistryIsRefused() {
    assertThatThrownBy(() -> OciImage.at("registry.acme:5000/flows/etl@sha256:00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not REGISTRY/REPO:TAG");
    assertThatThrownBy(() -> OciImage.at("etl:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image storage 'etl:1'");
  }
}
