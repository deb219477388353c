package dev.gantry.flow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class S3Test {

  @Test
  void namingAwsCredentialsMakesItTheCredentialsSecret() {
    assertThat(S3.bucket("flows").credentialsSecretName()).isNull();
    assertThat(S3.bucket("flows").secrets("AWS_CREDENTIALS").credentialsSecretName())
        .isEqualTo("AWS_CREDENTIALS");
  }

  @Test
  void anotherCredentialsSecretIsNamedAndBecomesOneOfTheSecrets() {
    S3 storage = S3.bucket("flows").secrets("OTHER").credentials("TEAM_AWS");

    assertThat(storage.credentialsSecretName()).isEqualTo("TEAM_AWS");
    assertThat(storage.secrets()).containsExactlyInAnyOrder("OTHER", "TEAM_AWS");
    assertThat(storage.endpoint("http://127.0.0.1:9000").prefix("p").credentialsSecretName())
        .isEqualTo("TEAM_AWS");
  }

  @Test
  void theDefaultLabelIsS3FlowStorage() {
    assertThat(S3.bucket("flows").defaultLabels()).containsExactly("s3-flow-storage");
    assertThat(S3.bucket("flows").withoutDefaultLabels().defaultLabelsEnabled()).isFalse();
  }

  @Test
  void malformedDescriptionsAreRefused() {
    assertThatThrownBy(() -> S3.bucket("a/b")).hasMessageContaining("invalid S3 bucket name");
    assertThatThrownBy(
            () ->
                new S3(
                    "flows", null, null, null, Storage.Format.SERIALIZED, true, Set.of(), "NOPE"))
        .hasMessageContaining("'NOPE' must be one of the storage's secrets");
  }
}
