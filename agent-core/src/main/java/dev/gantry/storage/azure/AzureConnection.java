package dev.gantry.storage.azure;

import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.gantry.storage.StorageException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A storage account reached through the connection string in a secret (Prefect's {@code
 * AZURE_STORAGE_CONNECTION_STRING}): {@code DefaultEndpointsProtocol=https;AccountName=A;
 * AccountKey=K;EndpointSuffix=core.windows.net}, or with a {@code BlobEndpoint} (Azurite, private
 * endpoints) or a {@code SharedAccessSignature} instead of the key.
 *
 * <p>Checked before any request: the string has an account and a key or signature, and its account
 * is the location's. {@link #toString()} and every message name the secret, never its value.
 */
final class AzureConnection {
  /** Azurite's well-known account, which {@code UseDevelopmentStorage=true} stands for. */
  static final String DEVELOPMENT_ACCOUNT = "devstoreaccount1";

  /** Bounded retries, so an unreachable account fails the run in seconds, not minutes. */
  private static final RequestRetryOptions RETRIES =
      new RequestRetryOptions(
          RetryPolicyType.EXPONENTIAL,
          3,
          Duration.ofMinutes(5),
          Duration.ofMillis(500),
          Duration.ofSeconds(4),
          null);

  private final String secretName;
  private final String connectionString;
  private final String account;
  private final AzureLocation location;

  private AzureConnection(
      String secretName, String connectionString, String account, AzureLocation location) {
    this.secretName = secretName;
    this.connectionString = connectionString;
    this.account = account;
    this.location = location;
  }

  /**
   * The connection in a secret's value, for blobs of {@code location}'s account.
   *
   * @throws StorageException naming the secret (never its value) when the value is no connection
   *     string or names another account
   */
  static AzureConnection fromSecret(String secretName, String value, AzureLocation location) {
    Map<String, String> fields = fields(value);
    if (fields == null) {
      throw badSecret(secretName, location, "is not an Azure Storage connection string");
    }
    boolean development = "true".equalsIgnoreCase(fields.get("usedevelopmentstorage"));
    String account = development ? DEVELOPMENT_ACCOUNT : fields.get("accountname");
    if (account == null
        || (!development
            && fields.get("accountkey") == null
            && fields.get("sharedaccesssignature") == null)) {
      throw badSecret(
          secretName, location, "lacks AccountName, or both AccountKey and SharedAccessSignature");
    }
    if (!account.equals(location.account())) {
      throw new StorageException(
          "secret "
              + secretName
              + " connects to the storage account '"
              + account
              + "', but "
              + location.blobName()
              + " is in the account '"
              + location.account()
              + "': set the secret to that account's connection string, or give --storage"
              + " azblob://"
              + account
              + "/CONTAINER/PREFIX");
    }
    return new AzureConnection(secretName, value, account, location);
  }

  /** The client of one blob. */
  BlobClient blob(String container, String blob) {
    BlobServiceClient service;
    try {
      service =
          new BlobServiceClientBuilder()
              .connectionString(connectionString)
              .clientOptions(new HttpClientOptions().setConnectTimeout(Duration.ofSeconds(10)))
              .retryOptions(RETRIES)
              .buildClient();
    } catch (IllegalArgumentException e) {
      // The SDK's message may quote the string: never pass it on.
      throw badSecret(secretName, location, "is not a connection string the Azure SDK accepts");
    }
    return service.getBlobContainerClient(container).getBlobClient(blob);
  }

  String secretName() {
    return secretName;
  }

  String account() {
    return account;
  }

  @Override
  public String toString() {
    return "the connection string in secret " + secretName;
  }

  /** The string's fields by lower-case name, or null when it is not {@code NAME=VALUE;...}. */
  private static Map<String, String> fields(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : value.strip().split(";")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      out.put(
          part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
    }
    return out.isEmpty() ? null : out;
  }

  private static StorageException badSecret(
      String secretName, AzureLocation location, String problem) {
    return new StorageException(
        "secret "
            + secretName
            + " (for "
            + location.blobName()
            + ") "
            + problem
            + "; it must be the storage account's connection string"
            + " (DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=...,"
            + " from the account's Access keys page): set it again with `gantry secret set "
            + secretName
            + " --from-file FILE`");
  }
}
