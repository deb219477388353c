package dev.gantry.flow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GcsAndAzureBlobTest {

  @Test
  void gcsUsesApplicationDefaultCredentialsUnlessASecretHoldsTheKey() {
    assertThat(Gcs.bucket("flows").credentialsSecretName()).isNull();
    assertThat(Gcs.bucket("flows").secrets("GCP_CREDENTIALS").credentialsSecretName())
        .isEqualTo("GCP_CREDENTIALS");
    Gcs team = Gcs.bucket("flows").secrets("OTHER").credentials("TEAM_GCP").prefix("a/b");
    assertThat(team.credentialsSecretName()).isEqualTo("TEAM_GCP");
    assertThat(team.secrets()).containsExactlyInAnyOrder("OTHER", "TEAM_GCP");
  }

  @Test
  void azureAlwaysNamesTheSecretOfItsConnectionString() {
    AzureBlob plain = AzureBlob.container("acmeflows", "flows");
    assertThat(plain.credentialsSecretName()).isEqualTo("AZURE_STORAGE_CONNECTION_STRING");
    assertThat(plain.secrets()).containsExactly("AZURE_STORAGE_CONNECTION_STRING");

    AzureBlob team = plain.secrets("SMTP").credentials("TEAM_AZURE").prefix("p");
    assertThat(team.credentialsSecretName()).isEqualTo("TEAM_AZURE");
    assertThat(team.secrets()).containsExactlyInAnyOrder("SMTP", "TEAM_AZURE");
  }

  @Test
  void theDefaultLabelsAreThoseOfPrefect() {
    assertThat(Gcs.bucket("flows").defaultLabels()).containsExactly("gcs-flow-storage");
    assertThat(AzureBlob.container("acme", "flows").defaultLabels())
        .containsExactly("azure-flow-storage");
    assertThat(Gcs.bucket("flows").withoutDefaultLabels().defaultLabelsEnabled()).isFalse();
    assertThat(AzureBlob.container("acme", "flows").withoutDefaultLabels().defaultLabelsEnabled())
        .isFalse();
    assertThat(Gcs.bucket("flows").storedAsSource().format()).isEqualTo(Storage.Format.SOURCE);
    assertThat(AzureBlob.container("acme", "flows").storedAsSource().format())
        .isEqualTo(Storage.Format.SOURCE);
  }

  @Test
  void malformedNamesAreRefusedSayingWhatIsAllowed() {
    assertThatThrownBy(() -> Gcs.bucket("Flows/x"))
        .hasMessageStartingWith("invalid GCS bucket name 'Flows/x': 3 to 222 lower-case");
    assertThatThrownBy(() -> AzureBlob.container("Acme-Flows", "flows"))
        .hasMessageStartingWith("invalid Azure storage account name 'Acme-Flows'");
    assertThatThrownBy(() -> AzureBlob.container("acme", "my--flows"))
        .hasMessageStartingWith("invalid Azure blob container name 'my--flows'");
    assertThatThrownBy(() -> AzureBlob.container("acme", "ab"))
        .hasMessageStartingWith("invalid Azure blob container name 'ab'");
    assertThat(AzureBlob.container("acme", "team-flows-2").container()).isEqualTo("team-flows-2");
  }
}
