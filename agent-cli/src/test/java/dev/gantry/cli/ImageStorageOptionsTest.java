package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.storage.OciImage;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The options of {@code --storage image:REGISTRY/REPO:TAG}, as picocli reads them. */
class ImageStorageOptionsTest {

  @Command(name = "register")
  static final class Register {
    @Mixin ImageStorageOptions image;
  }

  private static Register parse(String... args) {
    Register command = new Register();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void anImageLocationGivesTheReferenceAndTheNamedLoginSecret() {
    Register command =
        parse("--image-credentials-secret", "REGISTRY_LOGIN", "--base-image", "docker://gantry:x");

    OciImage storage = command.image.storage("image:127.0.0.1:5000/flows/etl:1");

    assertThat(ImageStorageOptions.isImage("image:127.0.0.1:5000/flows/etl:1")).isTrue();
    assertThat(command.image.anyGiven()).isTrue();
    assertThat(storage.reference()).isEqualTo("127.0.0.1:5000/flows/etl:1");
    assertThat(storage.credentialsSecret()).isEqualTo("REGISTRY_LOGIN");
    assertThat(storage.secrets()).containsExactly("REGISTRY_LOGIN");
    assertThat(storage.effectiveBaseImage()).isEqualTo("docker://gantry:x");
    assertThat(storage.defaultLabels()).containsExactly("image-flow-storage");
  }

  @Test
  void withoutOptionsTheDockerConfigAndTheLocalGantryImageAreUsed() {
    Register command = parse();

    OciImage storage = command.image.storage("image:127.0.0.1:5000/flows/etl:1");

    assertThat(command.image.anyGiven()).isFalse();
    assertThat(storage.secrets()).isEmpty();
    assertThat(storage.effectiveBaseImage()).startsWith("docker://gantry:");
  }

  @Test
  void aReferenceWithADigestOrWithoutARegistryIsRefusedInOneLine() {
    Register command = parse();

    assertThatThrownBy(() -> command.image.storage("image:flows@sha256:abc"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--storage: image storage 'flows@sha256:abc' is not")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aMalformedSecretNameIsRefused() {
    Register command = parse("--image-credentials-secret", "bad name");

    assertThatThrownBy(() -> command.image.storage("image:127.0.0.1:5000/flows/etl:1"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--image-credentials-secret: ");
  }
}
