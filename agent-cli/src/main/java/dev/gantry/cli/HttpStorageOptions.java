package dev.gantry.cli;

import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.Http;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage http(s)://...}: the headers sent with the upload
 * and the runs' downloads, each value literal or {@code secret:NAME}.
 */
public final class HttpStorageOptions {

  @Option(
      names = "--http-header",
      paramLabel = "NAME=VALUE",
      description =
          "A header for HTTP storage, e.g. Authorization=secret:ARTIFACTORY_TOKEN (the value of"
              + " that secret, which becomes one of the flow's secrets); repeat for several.")
  List<String> headers = new ArrayList<>();

  static boolean isHttp(String storage) {
    return storage != null && (storage.startsWith("http://") || storage.startsWith("https://"));
  }

  boolean anyGiven() {
    return !headers.isEmpty();
  }

  /** The HTTP storage at the URL (template) with these headers. */
  Http storage(String url) {
    Http storage;
    try {
      storage = Http.url(url);
    } catch (IllegalArgumentException e) {
      throw new UserError("--storage: " + e.getMessage());
    }
    for (String header : headers) {
      int eq = header.indexOf('=');
      if (eq <= 0) {
        throw new UserError("--http-header " + header + " is not NAME=VALUE");
      }
      String value = header.substring(eq + 1);
      if (value.startsWith(Http.SECRET_PREFIX)) {
        try {
          Secrets.checkName(value.substring(Http.SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
          throw new UserError("--http-header " + header.substring(0, eq) + ": " + e.getMessage());
        }
      }
      storage = storage.header(header.substring(0, eq).strip(), value);
    }
    return storage;
  }
}
