package dev.gantry.storage.s3;

import dev.gantry.storage.StorageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 service a storage talks to: AWS in a region, or an S3-compatible store at an endpoint
 * (path-style access), with its credentials.
 *
 * @param region the region, or null: the SDK's region chain for AWS, {@value #COMPATIBLE_REGION}
 *     for an endpoint
 * @param endpoint the store's endpoint URL, or null for AWS
 */
record S3Connection(String region, String endpoint, S3Credentials credentials) {

  /** S3-compatible stores accept any region in the signature; this is the usual one. */
  static final String COMPATIBLE_REGION = "us-east-1";

  /** A bounded wait per request, so a store that accepts but never answers fails the run. */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMinutes(5);

  S3Connection {
    if (endpoint != null) {
      URI uri;
      try {
        uri = new URI(endpoint);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new StorageException(
            "S3 endpoint '"
                + endpoint
                + "' is not an http(s) URL; give it as http://HOST:PORT or https://HOST");
      }
    }
  }

  S3Client open() {
    S3ClientBuilder builder =
        S3Client.builder()
            .credentialsProvider(credentials.provider())
            .overrideConfiguration(c -> c.apiCallAttemptTimeout(ATTEMPT_TIMEOUT));
    if (endpoint != null) {
      builder
          .endpointOverride(URI.create(endpoint))
          .forcePathStyle(true)
          .region(Region.of(region != null ? region : COMPATIBLE_REGION))
          // Compatible stores differ in their support of the newer trailing checksums.
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    } else if (region != null) {
      builder.region(Region.of(region));
    } else {
      // No region given: the SDK's chain, and the bucket's own region found by redirect.
      builder.region(defaultRegion()).crossRegionAccessEnabled(true);
    }
    return builder.build();
  }

  /** "endpoint http://..." or "region eu-west-1", for messages. */
  String describe() {
    if (endpoint != null) {
      return "endpoint " + endpoint;
    }
    return region != null ? "AWS region " + region : "AWS";
  }

  private static Region defaultRegion() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      return Region.of(COMPATIBLE_REGION);
    }
  }
}
