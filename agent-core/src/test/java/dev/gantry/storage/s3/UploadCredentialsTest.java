package dev.gantry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.storage.S3;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Registration signs S3 uploads with the local secret the storage names, else the AWS chain. */
class UploadCredentialsTest {
  private static final String KEY = "{\"ACCESS_KEY\": \"a\", \"SECRET_ACCESS_KEY\": \"s\"}";

  @Test
  void theNamedSecretSignsWhenTheLocalSecretsHoldIt() {
    S3 storage = S3.bucket("flows").secrets(S3.DEFAULT_CREDENTIALS_SECRET);

    S3Credentials credentials = UploadCredentials.forStorage(storage, name -> Optional.of(KEY));

    assertThat(credentials.secretName()).isEqualTo(S3.DEFAULT_CREDENTIALS_SECRET);
  }

  @Test
  void theDefaultChainSignsWhenNoSecretIsNamedOrStored() {
    assertThat(UploadCredentials.forStorage(S3.bucket("flows"), SecretLookup.NONE).secretName())
        .isNull();
    assertThat(
            UploadCredentials.forStorage(S3.bucket("flows").credentials("MINE"), SecretLookup.NONE)
                .secretName())
        .isNull();
  }

  @Test
  void anUnreadableSecretFailsNamingTheBucketItSigns() {
    IllegalStateException vault = new IllegalStateException("vault");
    SecretLookup unreadable =
        name -> {
          throw new StorageException("secret " + name + " cannot be decrypted", vault);
        };

    assertThatThrownBy(
            () -> UploadCredentials.forStorage(S3.bucket("flows").credentials("MINE"), unreadable))
        .isInstanceOf(StorageException.class)
        .hasMessage("secret MINE cannot be decrypted (it signs the upload to s3://flows)")
        .hasCause(vault);
  }
}
