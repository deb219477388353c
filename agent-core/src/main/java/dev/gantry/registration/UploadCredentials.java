package dev.gantry.registration;

import dev.gantry.flow.storage.S3;
import dev.gantry.secrets.MasterKeyException;
import dev.gantry.secrets.SecretUnreadableException;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.s3.S3Credentials;
import java.util.Optional;

/**
 * The credentials registration uploads with: the access key in the storage's credentials secret
 * when the local secrets hold it, else the AWS default chain (AWS_ACCESS_KEY_ID and friends).
 */
final class UploadCredentials {
  private UploadCredentials() {}

  static S3Credentials forStorage(S3 storage, SecretVault secrets) {
    String name = storage.credentialsSecretName();
    if (name == null || secrets == null) {
      return S3Credentials.defaultChain();
    }
    Optional<String> value;
    try {
      value = secrets.find(name);
    } catch (SecretUnreadableException | MasterKeyException e) {
      throw new RegistrationException(
          e.getMessage() + " (it signs the upload to s3://" + storage.bucket() + ")", e);
    }
    return value.map(v -> S3Credentials.fromSecret(name, v)).orElse(S3Credentials.defaultChain());
  }
}
