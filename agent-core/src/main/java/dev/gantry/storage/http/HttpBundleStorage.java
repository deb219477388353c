package dev.gantry.storage.http;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.Http;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Bundles on an HTTP server: PUT at registration, GET by the bootstrap, both streamed between the
 * bundle file and the connection. The PUT carries {@code X-Checksum-Sha256} (Artifactory checks it;
 * other servers ignore it). The loader checks the fetched bundle's digest as for any storage.
 */
public final class HttpBundleStorage implements BundleStorage {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  private final Http storage;
  private final Function<String, String> secrets;

  /** With the header secrets' values looked up in the local secrets. */
  public HttpBundleStorage(Http storage, SecretLookup secrets) {
    this.storage = storage;
    this.secrets =
        name ->
            secrets
                .find(name)
                .orElseThrow(
                    () ->
                        new StorageException(
                            "HTTP storage "
                                + storage.urlTemplate()
                                + " sends a header from secret "
                                + name
                                + ", which is not set; set it with `gantry secret set "
                                + name
                                + "`"));
  }

  /** The bundle's URL: the template with its placeholders replaced. */
  public String url(String flowName, BundleFormat format, String digest) {
    String key = BundleStorage.key(flowName, format, digest);
    String template = storage.urlTemplate();
    if (!template.contains("{flow}")
        && !template.contains("{digest}")
        && !template.contains("{key}")) {
      template = (template.endsWith("/") ? template : template + "/") + "{key}";
    }
    return template
        .replace("{flow}", flowName)
        .replace("{digest}", format == BundleFormat.source ? "source" : digest)
        .replace("{key}", key);
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    HttpLocation location = new HttpLocation(url(flowName, format, digest), storage.headers());
    HttpRequest.Builder put =
        request(location, secrets)
            .header("X-Checksum-Sha256", digest)
            .PUT(HttpRequest.BodyPublishers.ofFile(bundle));
    HttpResponse<Void> response =
        send(location, put.build(), HttpResponse.BodyHandlers.discarding(), "upload");
    int status = response.statusCode();
    if (status != 200 && status != 201 && status != 204) {
      throw failure("upload", location, status);
    }
    return location.toUri();
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    download(HttpLocation.parse(location), target, secrets);
  }

  /**
   * Fetches as the bootstrap does, with header secrets from the run's {@code GANTRY_SECRET_<NAME>}
   * variables.
   */
  public static void fetch(
      String flowName, HttpLocation location, Path target, Map<String, String> environment)
      throws IOException {
    download(
        location,
        target,
        name -> {
          String value = environment.get(Secrets.variable(name));
          if (value == null) {
            throw new StorageException(
                "the bundle of flow '"
                    + flowName
                    + "' at "
                    + location.url()
                    + " is fetched with a header from secret "
                    + name
                    + ", but this run was not given it ("
                    + Secrets.variable(name)
                    + " is not set); register the flow again so the secret is among its secrets");
          }
          return value;
        });
  }

  private static void download(HttpLocation location, Path target, Function<String, String> secrets)
      throws IOException {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    HttpResponse<Path> response =
        send(
            location,
            request(location, secrets).GET().build(),
            HttpResponse.BodyHandlers.ofFile(partial),
            "download");
    if (response.statusCode() != 200) {
      Files.deleteIfExists(partial);
      throw failure("download", location, response.statusCode());
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static HttpRequest.Builder request(
      HttpLocation location, Function<String, String> secrets) {
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(URI.create(location.url()));
    } catch (IllegalArgumentException e) {
      throw new StorageException("HTTP storage URL " + location.url() + " is not a valid URL");
    }
    Map<String, String> resolved = new LinkedHashMap<>();
    location
        .headers()
        .forEach(
            (name, value) -> {
              String secret = HttpLocation.secretOf(value);
              resolved.put(name, secret == null ? value : secrets.apply(secret));
            });
    resolved.forEach(request::header);
    return request;
  }

  private static <T> HttpResponse<T> send(
      HttpLocation location, HttpRequest request, HttpResponse.BodyHandler<T> body, String what)
      throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    try {
      return client.send(request, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("the " + what + " of " + location.url() + " was interrupted", e);
    } catch (IOException e) {
      throw new StorageException(
          "cannot reach "
              + location.url()
              + " for the "
              + what
              + " of the bundle ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); check the URL and that the server is up",
          e);
    }
  }

  private static StorageException failure(String what, HttpLocation location, int status) {
    String why =
        switch (status) {
          case 401, 403 ->
              "the server refused the credentials (HTTP "
                  + status
                  + "); check the secrets in its headers "
                  + location.headers().keySet();
          case 404 ->
              what.equals("download")
                  ? "no bundle there (HTTP 404): it was deleted or moved; register the flow again"
                  : "the server has no such path (HTTP 404); check the storage URL";
          case 405 -> "the server does not accept PUT there (HTTP 405); check the storage URL";
          default -> "the server answered HTTP " + status;
        };
    return new StorageException("the " + what + " of " + location.url() + " failed: " + why);
  }

  @Override
  public String toString() {
    return "HTTP storage " + storage.urlTemplate();
  }
}
