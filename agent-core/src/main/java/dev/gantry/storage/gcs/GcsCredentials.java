package dev.gantry.storage.gcs;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Who GCS requests are made as: the service account whose key JSON is in a named secret (Prefect's
 * {@code GCP_CREDENTIALS}), or Google's Application Default Credentials ({@code
 * GOOGLE_APPLICATION_CREDENTIALS}, gcloud's user credentials, workload identity, the instance's
 * service account).
 *
 * <p>{@link #toString()} and every message name the secret or the account, never the key.
 */
public final class GcsCredentials {
  private final String secretName;
  private final ServiceAccountCredentials serviceAccount;

  private GcsCredentials(String secretName, ServiceAccountCredentials serviceAccount) {
    this.secretName = secretName;
    this.serviceAccount = serviceAccount;
  }

  public static GcsCredentials applicationDefault() {
    return new GcsCredentials(null, null);
  }

  /**
   * The service account whose key is a secret's value.
   *
   * @throws StorageException naming the secret (not its value) when the value is no such key
   */
  public static GcsCredentials fromSecret(String secretName, String value) {
    ServiceAccountCredentials account;
    try {
      account =
          ServiceAccountCredentials.fromStream(
              new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      // The library's message may quote the input: never pass it on.
      throw new StorageException(
          "secret "
              + secretName
              + " is not a service-account key (JSON with \"type\": \"service_account\","
              + " client_email, private_key and private_key_id): download a key of the service"
              + " account and set it with `gantry secret set "
              + secretName
              + " --from-file KEY.json`");
    }
    return new GcsCredentials(secretName, account);
  }

  /** The secret used, or null for Application Default Credentials. */
  public String secretName() {
    return secretName;
  }

  /** The service account's e-mail, or null for Application Default Credentials. */
  public String account() {
    return serviceAccount == null ? null : serviceAccount.getClientEmail();
  }

  /** The project of the service account's key, or null. */
  String projectId() {
    return serviceAccount == null ? null : serviceAccount.getProjectId();
  }

  /**
   * The credentials to sign with.
   *
   * @throws StorageException saying how to provide credentials when Application Default Credentials
   *     find none
   */
  Credentials resolve(String object) {
    if (serviceAccount != null) {
      return serviceAccount;
    }
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      throw new StorageException(
          "no Google credentials for "
              + object
              + ": set the secret "
              + Gcs.DEFAULT_CREDENTIALS_SECRET
              + " to a service-account key and name it on the storage (--gcs-credentials-secret),"
              + " or set GOOGLE_APPLICATION_CREDENTIALS to a key file");
    }
  }

  /** Where to fix them, for messages. */
  String describe() {
    return secretName != null
        ? "the service account " + account() + " in secret " + secretName
        : "the Application Default Credentials";
  }

  @Override
  public String toString() {
    return secretName != null ? "secret " + secretName : "Application Default Credentials";
  }
}
