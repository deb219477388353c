package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

  @Test
  void aOneWordNameIsADockerHubLibraryImageTaggedLatest() {
    ImageReference image = ImageReference.parse("alpine");

    assertThat(image.registry()).isEqualTo("docker.io");
    assertThat(image.repository()).isEqualTo("library/alpine");
    assertThat(image.tag()).isEqualTo("latest");
    assertThat(image.digest()).isNull();
    assertThat(image.name()).isEqualTo("alpine");
    assertThat(image.canonical()).isEqualTo("docker.io/library/alpine:latest");
    assertThat(image).hasToString("alpine:latest");
  }

  @Test
  void aUserRepositoryOnDockerHubKeepsItsOwner() {
    ImageReference image = ImageReference.parse("gantry/agent:0.1.0");

    assertThat(image.registry()).isEqualTo("docker.io");
    assertThat(image.repository()).isEqualTo("gantry/agent");
    assertThat(image.tag()).isEqualTo("0.1.0");
    assertThat(image.name()).isEqualTo("gantry/agent");
  }

  @Test
  void aRegistryWithAPortIsNotMistakenForATag() {
    ImageReference image = ImageReference.parse("localhost:5000/x:tag");

    assertThat(image.registry()).isEqualTo("localhost:5000");
    assertThat(image.repository()).isEqualTo("x");
    assertThat(image.tag()).isEqualTo("tag");
    assertThat(image.name()).isEqualTo("localhost:5000/x");
  }

  @Test
  void aRegistryWithAPortAndNoTagIsTaggedLatest() {
    ImageReference image = ImageReference.parse("localhost:5000/team/x");

    assertThat(image.registry()).isEqualTo("localhost:5000");
    assertThat(image.repository()).isEqualTo("team/x");
    assertThat(image.tag()).isEqualTo("latest");
    assertThat(image.name()).isEqualTo("localhost:5000/team/x");
  }

  @Test
  void localhostAndDottedHostsAreRegistries() {
    assertThat(ImageReference.parse("localhost/x").registry()).isEqualTo("localhost");
    assertThat(ImageReference.parse("ghcr.io/acme/flows:1").registry()).isEqualTo("ghcr.io");
    assertThat(ImageReference.parse("ghcr.io/acme/flows:1").repository()).isEqualTo("acme/flows");
  }

  @Test
  void aDigestPinsTheImageWithoutATag() {
    String digest = "sha256:" + "0123456789abcdef".repeat(4);
    ImageReference image = ImageReference.parse("registry.example.com:443/flows@" + digest);

    assertThat(image.registry()).isEqualTo("registry.example.com:443");
    assertThat(image.repository()).isEqualTo("flows");
    assertThat(image.tag()).isNull();
    assertThat(image.digest()).isEqualTo(digest);
    assertThat(image.pinnedDigest()).contains(digest);
    assertThat(image).hasToString("registry.example.com:443/flows@" + digest);
  }

  @Test
  void aTagAndADigestTogetherKeepBoth() {
    String digest = "sha256:" + "ab".repeat(32);
    ImageReference image = ImageReference.parse("alpine:3.20@" + digest);

    assertThat(image.tag()).isEqualTo("3.20");
    assertThat(image.digest()).isEqualTo(digest);
    assertThat(image.canonical()).isEqualTo("docker.io/library/alpine:3.20@" + digest);
  }

  @Test
  void surroundingSpaceIsIgnored() {
    assertThat(ImageReference.parse("  gantry:0.1.0 ").name()).isEqualTo("gantry");
  }

  @Test
  void blankOrEmptyPartsAreRejected() {
    assertThatThrownBy(() -> ImageReference.parse(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("alpine:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty tag");
    assertThatThrownBy(() -> ImageReference.parse(":1.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no repository");
    assertThatThrownBy(() -> ImageReference.parse("alpine@sha256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("digest");
  }
}
