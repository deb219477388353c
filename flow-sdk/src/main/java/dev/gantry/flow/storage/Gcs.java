package dev.gantry.flow.storage;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Google Cloud Storage bucket. Its default label is {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(Gcs.bucket("my-flows").prefix("team-a").secrets("GCP_CREDENTIALS"));}
 * </pre>
 *
 * <p>Credentials: when the storage names the secret {@value #DEFAULT_CREDENTIALS_SECRET} (or
 * another one with {@link #credentials(String)}), registration and the run's bootstrap use the
 * service-account key JSON it holds. Otherwise they use Google's Application Default Credentials:
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, the gcloud user credentials, workload identity or the
 * instance's service account.
 *
 * @param prefix the object name prefix under the bucket, or null for the bucket's root
 * @param credentialsSecret the secret holding the service-account key, or null for {@value
 *     #DEFAULT_CREDENTIALS_SECRET} when the storage names it, else Application Default Credentials
 */
public record Gcs(
    String bucket,
    String prefix,
    Format format,
    boolean defaultLabelsEnabled,
    Set<String> secrets,
    String credentialsSecret)
    implements Storage {

  public static final String DEFAULT_LABEL = "gcs-flow-storage";

  /** Prefect's secret for Google Cloud: a service-account key, as JSON. */
  public static final String DEFAULT_CREDENTIALS_SECRET = "GCP_CREDENTIALS";

  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  public Gcs {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(format, "format");
    if (!BUCKET_NAME.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "invalid GCS bucket name '"
              + bucket
              + "': 3 to 222 lower-case letters, digits, '-', '_' and '.', starting and ending"
              + " with a letter or digit");
    }
    if (format == Format.MODULE) {
      throw new IllegalArgumentException("GCS storage stores bundles; use Module for MODULE");
    }
    secrets = Set.copyOf(secrets);
    if (credentialsSecret != null && !secrets.contains(credentialsSecret)) {
      throw new IllegalArgumentException(
          "the credentials secret '"
              + credentialsSecret
              + "' must be one of the storage's secrets");
    }
  }

  public static Gcs bucket(String bucket) {
    return new Gcs(bucket, null, Format.SERIALIZED, true, Set.of(), null);
  }

  public Gcs prefix(String prefix) {
    return new Gcs(bucket, prefix, format, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  public Gcs storedAsSource() {
    return new Gcs(bucket, prefix, Format.SOURCE, defaultLabelsEnabled, secrets, credentialsSecret);
  }

  public Gcs withoutDefaultLabels() {
    return new Gcs(bucket, prefix, format, false, secrets, credentialsSecret);
  }

  /** Secrets the storage authenticates with, such as {@code GCP_CREDENTIALS}. */
  public Gcs secrets(String... names) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(Set.of(names));
    return new Gcs(bucket, prefix, format, defaultLabelsEnabled, all, credentialsSecret);
  }

  /**
   * Authenticates with the service-account key in the named secret instead of {@value
   * #DEFAULT_CREDENTIALS_SECRET}; the secret becomes one of the storage's secrets.
   */
  public Gcs credentials(String secretName) {
    Objects.requireNonNull(secretName, "secretName");
    Set<String> all = new LinkedHashSet<>(secrets);
    all.add(secretName);
    return new Gcs(bucket, prefix, format, defaultLabelsEnabled, all, secretName);
  }

  /**
   * The secret whose service-account key authenticates: {@link #credentialsSecret()} when set, else
   * {@value #DEFAULT_CREDENTIALS_SECRET} when the storage names it, else null (Application Default
   * Credentials).
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
