package dev.gantry.flow.storage;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An S3 bucket (or an S3-compatible store through {@link #endpoint(String)}). Its default label is
 * {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(S3.bucket("my-flows").secrets("AWS_CREDENTIALS"));}</pre>
 *
 * <p>Credentials: when the storage names the secret {@value #DEFAULT_CREDENTIALS_SECRET} (or
 * another one with {@link #credentials(String)}), registration and the run's bootstrap sign with
 * the access key it holds, JSON {@code {"ACCESS_KEY": "...", "SECRET_ACCESS_KEY": "...",
 * "SESSION_TOKEN": "..."}} (the token is optional). Otherwise they use the AWS SDK's default chain:
 * the {@code AWS_*} environment variables, the profile files, web identity (Kubernetes service
 * accounts) and the instance or container role.
 *
 * @param prefix the key prefix under the bucket, or null for the bucket's root
 * @param region the bucket's region, or null for the SDK's default region chain
 * @param endpoint the endpoint of an S3-compatible store (path-style access), or null for AWS
 * @param credentialsSecret the secret holding the access key, or null for {@value
 *     #DEFAULT_CREDENTIALS_SECRET} when the storage names it, else the default chain
 */
public record S3(
    String bucket,
    String prefix,
    String region,
    String endpoint,
    Format format,
    boolean defaultLabelsEnabled,
    Set<String> secrets,
    String credentialsSecret)
    implements Storage {

  public static final String DEFAULT_LABEL = "s3-flow-storage";

  /** Prefect's default secret for AWS: JSON with ACCESS_KEY, SECRET_ACCESS_KEY, SESSION_TOKEN. */
  public static final String DEFAULT_CREDENTIALS_SECRET = "AWS_CREDENTIALS";

  public S3 {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(format, "format");
    if (bucket.isBlank() || bucket.contains("/")) {
      throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "'");
    }
    if (format == Format.MODULE) {
      throw new IllegalArgumentException("S3 storage stores bundles; use Module for MODULE");
    }
    secrets = Set.copyOf(secrets);
    if (credentialsSecret != null && !secrets.contains(credentialsSecret)) {
      throw new IllegalArgumentException(
          "the credentials secret '"
              + credentialsSecret
              + "' must be one of the storage's secrets");
    }
  }

  public static S3 bucket(String bucket) {
    return new S3(bucket, null, null, null, Format.SERIALIZED, true, Set.of(), null);
  }

  public S3 prefix(String prefix) {
    return new S3(
        bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  public S3 region(String region) {
    return new S3(
        bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  /** The endpoint of an S3-compatible store; path-style access is used with it. */
  public S3 endpoint(String endpoint) {
    return new S3(
        bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  public S3 storedAsSource() {
    return new S3(
        bucket,
        prefix,
        region,
        endpoint,
        Format.SOURCE,
        defaultLabelsEnabled,
        secrets,
        credentialsSecret);
  }

  public S3 withoutDefaultLabels() {
    return new S3(bucket, prefix, region, endpoint, format, false, secrets, credentialsSecret);
  }

  /** Secrets the storage authenticates with, such as {@code AWS_CREDENTIALS}. */
  public S3 secrets(String... names) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(Set.of(names));
    return new S3(
        bucket, prefix, region, endpoint, format, defaultLabelsEnabled, all, credentialsSecret);
  }

  /**
   * Signs with the access key in the named secret instead of {@value #DEFAULT_CREDENTIALS_SECRET};
   * the secret becomes one of the storage's secrets.
   */
  public S3 credentials(String secretName) {
    Objects.requireNonNull(secretName, "secretName");
    Set<String> all = new LinkedHashSet<>(secrets);
    all.add(secretName);
    return new S3(bucket, prefix, region, endpoint, format, defaultLabelsEnabled, all, secretName);
  }

  /**
   * The secret whose access key signs requests: {@link #credentialsSecret()} when set, else {@value
   * #DEFAULT_CREDENTIALS_SECRET} when the storage names it, else null (the SDK's default chain).
   */
  public String credentialsSecretName() {
    if (credentialsSecret != null) {
      return credentialsSecret;
    }
    return secrets.contains(DEFAULT_CREDENTIALS_SECRET) ? DEFAULT_CREDENTIALS_SECRET : null;
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }
}
