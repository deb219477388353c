package dev.gantry.storage.s3;

import dev.gantry.storage.StorageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a bundle is in S3, as a URI the bootstrap needs nothing else to read: {@code
 * s3://BUCKET/KEY?region=R&endpoint=URL&credentials=SECRET}. The query parameters appear only when
 * set: {@code endpoint} for S3-compatible stores (path-style access), {@code credentials} for the
 * name (never the value) of the secret whose access key signs the requests.
 *
 * @param region the bucket's region, or null for the SDK's default region chain
 * @param endpoint the store's endpoint URL, or null for AWS
 * @param credentialsSecret the secret holding the access key, or null for the default chain
 */
public record S3Location(
    String bucket, String key, String region, String endpoint, String credentialsSecret) {

  public static final String SCHEME = "s3";

  private static final Set<String> PARAMETERS = Set.of("region", "endpoint", "credentials");

  public S3Location {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    if (bucket.isEmpty() || key.isEmpty()) {
      throw new IllegalArgumentException("an S3 location needs a bucket and a key");
    }
  }

  /** Whether the location is an S3 URI. */
  public static boolean isS3(String location) {
    return location != null && location.startsWith(SCHEME + "://");
  }

  /**
   * Reads an S3 location.
   *
   * @throws StorageException naming the location when it is not a well-formed S3 URI
   */
  public static S3Location parse(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw malformed(location, e.getReason());
    }
    if (!SCHEME.equals(uri.getScheme()) || uri.getRawAuthority() == null) {
      throw malformed(location, "expected s3://BUCKET/KEY");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String key = path.startsWith("/") ? path.substring(1) : path;
    if (key.isEmpty()) {
      throw malformed(location, "it names no key");
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (!PARAMETERS.contains(name)) {
          throw malformed(location, "unknown parameter '" + name + "'");
        }
        query.put(
            name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return new S3Location(
        uri.getAuthority(),
        key,
        blankToNull(query.get("region")),
        blankToNull(query.get("endpoint")),
        blankToNull(query.get("credentials")));
  }

  /** The URI form, recorded as the flow's location. */
  public String toUri() {
    StringBuilder out = new StringBuilder(SCHEME).append("://").append(bucket).append('/');
    List<String> segments = new ArrayList<>();
    for (String segment : key.split("/", -1)) {
      segments.add(encodeSegment(segment));
    }
    out.append(String.join("/", segments));
    List<String> query = new ArrayList<>();
    if (region != null) {
      query.add("region=" + encode(region));
    }
    if (endpoint != null) {
      query.add("endpoint=" + encode(endpoint));
    }
    if (credentialsSecret != null) {
      query.add("credentials=" + encode(credentialsSecret));
    }
    if (!query.isEmpty()) {
      out.append('?').append(String.join("&", query));
    }
    return out.toString();
  }

  /** {@code s3://BUCKET/KEY} without the parameters, for messages. */
  public String objectName() {
    return SCHEME + "://" + bucket + "/" + key;
  }

  @Override
  public String toString() {
    return toUri();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Percent-encodes a key segment; {@code URLEncoder} would turn spaces into '+'. */
  private static String encodeSegment(String segment) {
    return encode(segment).replace("+", "%20");
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static StorageException malformed(String location, String reason) {
    return new StorageException(
        "bundle location " + location + " is not a valid S3 location (" + reason + ")");
  }
}
