package dev.gantry.storage.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * How S3 requests are signed: with the access key in a named secret (Prefect 0.x's {@code
 * AWS_CREDENTIALS}: JSON {@code {"ACCESS_KEY": "...", "SECRET_ACCESS_KEY": "...", "SESSION_TOKEN":
 * "..."}}, the token optional), or with the AWS SDK's default chain (the {@code AWS_*} environment
 * variables, profile files, web identity, container and instance roles).
 *
 * <p>{@link #toString()} and every message name the secret, never its value.
 */
public final class S3Credentials {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String secretName;
  private final AwsCredentialsProvider provider;

  private S3Credentials(String secretName, AwsCredentialsProvider provider) {
    this.secretName = secretName;
    this.provider = provider;
  }

  /** The SDK's default credential chain. */
  public static S3Credentials defaultChain() {
    return new S3Credentials(null, null);
  }

  /**
   * The access key in a secret's value.
   *
   * @throws StorageException naming the secret (not its value) when the value is not such JSON
   */
  public static S3Credentials fromSecret(String secretName, String value) {
    JsonNode json;
    try {
      json = JSON.readTree(value);
    } catch (IOException e) {
      // Jackson's message quotes the input: never pass it on.
      json = null;
    }
    if (json == null || !json.isObject()) {
      throw badSecret(secretName, "is not a JSON object");
    }
    String accessKey = text(json, "ACCESS_KEY");
    String secretKey = text(json, "SECRET_ACCESS_KEY");
    String sessionToken = text(json, "SESSION_TOKEN");
    if (accessKey == null || secretKey == null) {
      throw badSecret(secretName, "lacks ACCESS_KEY or SECRET_ACCESS_KEY");
    }
    AwsCredentialsProvider provider =
        StaticCredentialsProvider.create(
            sessionToken == null
                ? AwsBasicCredentials.create(accessKey, secretKey)
                : AwsSessionCredentials.create(accessKey, secretKey, sessionToken));
    return new S3Credentials(secretName, provider);
  }

  /** The secret used, or null for the default chain. */
  public String secretName() {
    return secretName;
  }

  AwsCredentialsProvider provider() {
    return provider != null ? provider : DefaultCredentialsProvider.builder().build();
  }

  /** Where to fix them, for messages: "the access key in secret AWS_CREDENTIALS". */
  String describe() {
    return secretName != null
        ? "the access key in secret " + secretName
        : "the AWS default credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, web"
            + " identity or instance role)";
  }

  @Override
  public String toString() {
    return secretName != null ? "secret " + secretName : "default credential chain";
  }

  private static String text(JsonNode json, String field) {
    JsonNode node = json.get(field);
    return node == null || !node.isTextual() || node.asText().isBlank() ? null : node.asText();
  }

  private static StorageException badSecret(String secretName, String problem) {
    return new StorageException(
        "secret "
            + secretName
            + " "
            + problem
            + "; it must be JSON {\"ACCESS_KEY\": \"...\", \"SECRET_ACCESS_KEY\": \"...\"} with an"
            + " optional \"SESSION_TOKEN\": set it again with `gantry secret set "
            + secretName
            + " --from-file FILE`");
  }
}
