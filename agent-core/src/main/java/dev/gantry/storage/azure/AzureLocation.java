package dev.gantry.storage.azure;

import dev.gantry.flow.storage.AzureBlob;
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
 * Where a bundle is in Azure Blob Storage, as a URI the bootstrap needs nothing else to read:
 * {@code azblob://ACCOUNT/CONTAINER/BLOB?credentials=SECRET}. The parameter appears only when the
 * connection string is in another secret than {@value AzureBlob#DEFAULT_CREDENTIALS_SECRET}; it
 * carries the secret's name, never its value.
 *
 * @param credentialsSecret the secret holding the connection string
 */
public record AzureLocation(
    String account, String container, String blob, String credentialsSecret) {

  public static final String SCHEME = "azblob";

  private static final String CREDENTIALS = "credentials";

  public AzureLocation {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(credentialsSecret, "credentialsSecret");
    if (account.isEmpty() || container.isEmpty() || blob.isEmpty()) {
      throw new IllegalArgumentException("an Azure location needs an account, container and blob");
    }
  }

  public static boolean isAzure(String location) {
    return location != null && location.startsWith(SCHEME + "://");
  }

  /**
   * Reads an Azure Blob location.
   *
   * @throws StorageException naming the location when it is not a well-formed {@code azblob://} URI
   */
  public static AzureLocation parse(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw malformed(location, e.getReason());
    }
    if (!SCHEME.equals(uri.getScheme()) || uri.getRawAuthority() == null) {
      throw malformed(location, "expected azblob://ACCOUNT/CONTAINER/BLOB");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String rest = path.startsWith("/") ? path.substring(1) : path;
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw malformed(location, "it names no container and blob");
    }
    String secret = AzureBlob.DEFAULT_CREDENTIALS_SECRET;
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (!CREDENTIALS.equals(name) || eq < 0 || eq == pair.length() - 1) {
          throw malformed(location, "unknown parameter '" + name + "'");
        }
        secret = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return new AzureLocation(
        uri.getAuthority(), rest.substring(0, slash), rest.substring(slash + 1), secret);
  }

  /** The URI form, recorded as the flow's location. */
  public String toUri() {
    List<String> segments = new ArrayList<>();
    for (String segment : blob.split("/", -1)) {
      segments.add(encode(segment).replace("+", "%20"));
    }
    String uri = SCHEME + "://" + account + "/" + container + "/" + String.join("/", segments);
    return AzureBlob.DEFAULT_CREDENTIALS_SECRET.equals(credentialsSecret)
        ? uri
        : uri + "?" + CREDENTIALS + "=" + encode(credentialsSecret);
  }

  /** {@code azblob://ACCOUNT/CONTAINER/BLOB} without the parameter, for messages. */
  public String blobName() {
    return SCHEME + "://" + account + "/" + container + "/" + blob;
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
        "bundle location " + location + " is not a valid Azure Blob location (" + reason + ")");
  }
}
