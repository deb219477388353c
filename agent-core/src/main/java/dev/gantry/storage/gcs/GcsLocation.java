package dev.gantry.storage.gcs;

import dev.gantry.storage.StorageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a bundle is in GCS, as a URI the bootstrap needs nothing else to read: {@code
 * gs://BUCKET/OBJECT?credentials=SECRET}. The parameter appears only when a secret holds the
 * service-account key; it carries the secret's name, never its value.
 *
 * @param credentialsSecret the secret holding the service-account key, or null for Application
 *     Default Credentials
 */
public record GcsLocation(String bucket, String object, String credentialsSecret) {

  public static final String SCHEME = "gs";

  private static final String CREDENTIALS = "credentials";

  public GcsLocation {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(object, "object");
    if (bucket.isEmpty() || object.isEmpty()) {
      throw new IllegalArgumentException("a GCS location needs a bucket and an object name");
    }
  }

  public static boolean isGcs(String location) {
    return location != null && location.startsWith(SCHEME + "://");
  }

  /**
   * Reads a GCS location.
   *
   * @throws StorageException naming the location when it is not a well-formed {@code gs://} URI
   */
  public static GcsLocation parse(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw malformed(location, e.getReason());
    }
    if (!SCHEME.equals(uri.getScheme()) || uri.getRawAuthority() == null) {
      throw malformed(location, "expected gs://BUCKET/OBJECT");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String object = path.startsWith("/") ? path.substring(1) : path;
    if (object.isEmpty()) {
      throw malformed(location, "it names no object");
    }
    String secret = null;
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (!CREDENTIALS.equals(name) || eq < 0) {
          throw malformed(location, "unknown parameter '" + name + "'");
        }
        secret = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return new GcsLocation(
        uri.getAuthority(), object, secret == null || secret.isBlank() ? null : secret);
  }

  /** The URI form, recorded as the flow's location. */
  public String toUri() {
    List<String> segments = new ArrayList<>();
    for (String segment : object.split("/", -1)) {
      segments.add(encode(segment).replace("+", "%20"));
    }
    String uri = objectName(String.join("/", segments));
    return credentialsSecret == null
        ? uri
        : uri + "?" + CREDENTIALS + "=" + encode(credentialsSecret);
  }

  /** {@code gs://BUCKET/OBJECT} without the parameter, for messages. */
  public String objectName() {
    return objectName(object);
  }

  private String objectName(String name) {
    return SCHEME + "://" + bucket + "/" + name;
  }

  @Override
  public String toString() {
    return toUri();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static StorageException malformed(String location, String reason) {
    return new StorageException(
        "bundle location " + location + " is not a valid GCS location (" + reason + ")");
  }
}
