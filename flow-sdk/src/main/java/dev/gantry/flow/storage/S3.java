package dev.gantry.flow.storage;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An S3 bucket (or an S3-compatible store through {@link #endpoint(String)}). Its default label is
 * {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(S3.bucket("my-flows").secrets("AWS_CREDENTIALS"));}</pre>
 */
public record S3(
    String bucket,
    String prefix,
    String region,
    String endpoint,
    Format format,
    boolean defaultLabelsEnabled,
    Set<String> secrets)
    implements Storage {

  public static final String DEFAULT_LABEL = "s3-flow-storage";

  public S3 {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(format, "format");
    if (format == Format.MODULE) {
      throw new IllegalArgumentException("S3 storage stores bundles; use Module for MODULE");
    }
    secrets = Set.copyOf(secrets);
  }

  public static S3 bucket(String bucket) {
    return new S3(bucket, null, null, null, Format.SERIALIZED, true, Set.of());
  }

  public S3 prefix(String prefix) {
    return new S3(bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets);
  }

  public S3 region(String region) {
    return new S3(bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets);
  }

  /** The endpoint of an S3-compatible store; path-style access is used with it. */
  public S3 endpoint(String endpoint) {
    return new S3(bucket, prefix, region, endpoint, format, defaultLabelsEnabled, secrets);
  }

  public S3 storedAsSource() {
    return new S3(bucket, prefix, region, endpoint, Format.SOURCE, defaultLabelsEnabled, secrets);
  }

  public S3 withoutDefaultLabels() {
    return new S3(bucket, prefix, region, endpoint, format, false, secrets);
  }

  /** Secrets the storage authenticates with, such as {@code AWS_CREDENTIALS}. */
  public S3 secrets(String... names) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(Set.of(names));
    return new S3(bucket, prefix, region, endpoint, format, defaultLabelsEnabled, all);
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }
}
