package dev.gantry.storage.http;

import dev.gantry.flow.storage.Http;
import dev.gantry.storage.StorageException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a bundle on an HTTP server is: its URL, with the headers to send in the fragment (which no
 * client sends to the server): {@code https://host/path/FLOW/DIGEST.gantry#h.Authorization=
 * secret%3ATOKEN}. Secret headers are kept by secret name, never by value.
 */
public record HttpLocation(String url, Map<String, String> headers) {
  private static final String HEADER = "h.";

  public HttpLocation {
    headers = Map.copyOf(new TreeMap<>(headers));
  }

  public static boolean isHttp(String location) {
    return location != null && (location.startsWith("http://") || location.startsWith("https://"));
  }

  public String toUri() {
    StringBuilder uri = new StringBuilder(url);
    String separator = "#";
    for (Map.Entry<String, String> h : new TreeMap<>(headers).entrySet()) {
      uri.append(separator).append(HEADER).append(encode(h.getKey())).append('=');
      uri.append(encode(h.getValue()));
      separator = "&";
    }
    return uri.toString();
  }

  /**
   * @throws StorageException naming the location when it is not one
   */
  public static HttpLocation parse(String location) {
    if (!isHttp(location)) {
      throw new StorageException(
          "bundle location " + location + " is not an http:// or https:// URL");
    }
    int hash = location.indexOf('#');
    Map<String, String> headers = new TreeMap<>();
    if (hash >= 0) {
      for (String pair : location.substring(hash + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (!pair.startsWith(HEADER) || eq < 0) {
          throw new StorageException(
              "bundle location "
                  + location.substring(0, hash)
                  + " has a malformed header list; register the flow again");
        }
        headers.put(decode(pair.substring(HEADER.length(), eq)), decode(pair.substring(eq + 1)));
      }
    }
    return new HttpLocation(hash < 0 ? location : location.substring(0, hash), headers);
  }

  /** The secret a header's value comes from, or null for a literal value. */
  static String secretOf(String value) {
    return value.startsWith(Http.SECRET_PREFIX)
        ? value.substring(Http.SECRET_PREFIX.length())
        : null;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }
}
