package dev.gantry.cli;

import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.S3;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage s3://BUCKET/PREFIX}. Region and endpoint become
 * part of the bundle's location, so the run's bootstrap reads from the same place; when not given
 * they come from the standard AWS variables of this process (AWS_REGION, AWS_ENDPOINT_URL_S3).
 */
public final class S3StorageOptions {
  static final String SCHEME = "s3://";

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000 (path-style access)."
              + " Default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS.")
  String endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      description =
          "The bucket's region. Default: AWS_REGION or AWS_DEFAULT_REGION, else the SDK's.")
  String region;

  @Option(
      names = "--s3-credentials-secret",
      paramLabel = "NAME",
      description =
          "The secret whose access key (JSON ACCESS_KEY, SECRET_ACCESS_KEY, optional"
              + " SESSION_TOKEN) signs the upload and the runs' downloads; it becomes one of the"
              + " flow's secrets. Default: the AWS default chain (AWS_ACCESS_KEY_ID, profile,"
              + " web identity, instance role).")
  String credentialsSecret;

  static boolean isS3(String storage) {
    return storage != null && storage.startsWith(SCHEME);
  }

  boolean anyGiven() {
    return endpoint != null || region != null || credentialsSecret != null;
  }

  /** The S3 storage {@code s3://BUCKET[/PREFIX]} with these options. */
  S3 storage(String uri, Map<String, String> environment) {
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isBlank() || bucket.contains("?") || prefix.contains("?")) {
      throw new UserError(
          "--storage " + uri + " is not s3://BUCKET or s3://BUCKET/PREFIX (no query, use --s3-*)");
    }
    S3 storage = S3.bucket(bucket);
    if (!prefix.isBlank()) {
      storage = storage.prefix(prefix);
    }
    String chosenRegion =
        first(region, environment.get("AWS_REGION"), environment.get("AWS_DEFAULT_REGION"));
    if (chosenRegion != null) {
      storage = storage.region(chosenRegion);
    }
    String chosenEndpoint =
        first(
            endpoint, environment.get("AWS_ENDPOINT_URL_S3"), environment.get("AWS_ENDPOINT_URL"));
    if (chosenEndpoint != null) {
      if (!chosenEndpoint.startsWith("http://") && !chosenEndpoint.startsWith("https://")) {
        throw new UserError(
            "--s3-endpoint " + chosenEndpoint + " is not an http:// or https:// URL");
      }
      storage = storage.endpoint(chosenEndpoint);
    }
    if (credentialsSecret != null) {
      try {
        Secrets.checkName(credentialsSecret);
      } catch (IllegalArgumentException e) {
        throw new UserError("--s3-credentials-secret: " + e.getMessage());
      }
      storage = storage.credentials(credentialsSecret);
    }
    return storage;
  }

  private static String first(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }
}
