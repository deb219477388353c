package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Gcs;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The options of {@code --storage gs://...} and {@code --storage azblob://...}, as picocli reads
 * them.
 */
class CloudStorageOptionsTest {

  @Command(name = "register")
  static final class Register {
    @Mixin GcsStorageOptions gcs;
    @Mixin AzureStorageOptions azure;
  }

  private static Register parse(String... args) {
    Register command = new Register();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void aGcsLocationGivesBucketPrefixAndTheNamedKeySecret() {
    Register command = parse("--gcs-credentials-secret", "TEAM_GCP");

    Gcs storage = command.gcs.storage("gs://acme-flows/team-a/etl");

    assertThat(command.gcs.anyGiven()).isTrue();
    assertThat(storage.bucket()).isEqualTo("acme-flows");
    assertThat(storage.prefix()).isEqualTo("team-a/etl");
    assertThat(storage.credentialsSecretName()).isEqualTo("TEAM_GCP");
    assertThat(storage.secrets()).containsExactly("TEAM_GCP");
  }

  @Test
  void withoutASecretGcsUsesApplicationDefaultCredentials() {
    Register command = parse();

    Gcs storage = command.gcs.storage("gs://acme-flows");

    assertThat(command.gcs.anyGiven()).isFalse();
    assertThat(storage.prefix()).isNull();
    assertThat(storage.credentialsSecretName()).isNull();
    assertThat(storage.secrets()).isEmpty();
  }

  @Test
  void anAzureLocationGivesAccountContainerPrefixAndTheDefaultSecret() {
    Register command = parse();

    AzureBlob storage = command.azure.storage("azblob://acmeflows/flows/team-a");

    assertThat(storage.account()).isEqualTo("acmeflows");
    assertThat(storage.container()).isEqualTo("flows");
    assertThat(storage.prefix()).isEqualTo("team-a");
    assertThat(storage.secrets()).containsExactly(AzureBlob.DEFAULT_CREDENTIALS_SECRET);
  }

  @Test
  void theAzureSecretCanBeNamed() {
    AzureBlob storage =
        parse("--azure-credentials-secret", "TEAM_AZURE").azure.storage("azblob://acme/flows");

    assertThat(storage.prefix()).isNull();
    assertThat(storage.secrets()).containsExactly("TEAM_AZURE");
  }

  @Test
  void malformedLocationsAndSecretNamesAreOneLineErrorsNamingTheOption() {
    Register command = parse();
    assertThatThrownBy(() -> command.gcs.storage("gs://"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--storage gs:// is not gs://BUCKET or gs://BUCKET/PREFIX");
    assertThatThrownBy(() -> command.gcs.storage("gs://b/p?credentials=X"))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("--gcs-credentials-secret");
    assertThatThrownBy(() -> command.gcs.storage("gs://Acme_Flows"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--storage gs://Acme_Flows: invalid GCS bucket name 'Acme_Flows'");
    assertThatThrownBy(() -> command.azure.storage("azblob://ab/flows"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--storage azblob://ab/flows: invalid Azure storage account name");
    assertThatThrownBy(() -> command.azure.storage("azblob://acme"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(
            "--storage azblob://acme is not azblob://ACCOUNT/CONTAINER or"
                + " azblob://ACCOUNT/CONTAINER/PREFIX");
    assertThatThrownBy(
            () ->
                parse("--azure-credentials-secret", "bad name")
                    .azure
                    .storage("azblob://acme/flows"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--azure-credentials-secret: ");
    assertThatThrownBy(
            () -> parse("--gcs-credentials-secret", "bad name").gcs.storage("gs://flows"))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--gcs-credentials-secret: ");
  }
}
