package dev.gantry.storage.s3;

import dev.gantry.flow.storage.S3;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import java.util.Optional;

/**
 * The credentials registration uploads with: the access key in the storage's credentials secret
 * when the local secrets hold it, else the AWS default chain (AWS_ACCESS_KEY_ID and friends).
 */
final class UploadCredentials {
  private UploadCredentials() {}

  static S3Credentials forStorage(S3 storage, SecretLookup secrets) {
    String name = storage.credentialsSecretName();
    if (name == null) {
      return S3Credentials.defaultChain();
    }
    Optional<String> value;
    try {
      value = secrets.find(name);
    } catch (StorageException e) {
      throw new StorageException(
          e.getMessage() + " (it signs the upload to s3://" + storage.bucket() + ")",
          e.getCause() != null ? e.getCause() : e);
    }
    return value.map(v -> S3Credentials.fromSecret(name, v)).orElse(S3Credentials.defaultChain());
  }
}
