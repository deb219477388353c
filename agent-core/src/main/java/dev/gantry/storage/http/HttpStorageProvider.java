package dev.gantry.storage.http;

import dev.gantry.flow.storage.Http;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** HTTP servers as a storage kind: {@code http://} and {@code https://} locations, {@link Http}. */
public final class HttpStorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public boolean handles(String location) {
    return HttpLocation.isHttp(location);
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof Http;
  }

  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    return new HttpBundleStorage((Http) description, context.secrets());
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    HttpBundleStorage.fetch(flowName, HttpLocation.parse(location), target, environment);
  }

  /**
   * The location's URL as a template whose {@code {flow}} is the last occurrence of the flow's
   * name, so it expands to the same URL, with the location's headers.
   */
  @Override
  public Optional<Storage> sourceStorageAt(String flowName, String location) {
    HttpLocation parsed = HttpLocation.parse(location);
    int at = parsed.url().lastIndexOf(flowName);
    if (at < 0) {
      return Optional.empty();
    }
    String template =
        parsed.url().substring(0, at) + "{flow}" + parsed.url().substring(at + flowName.length());
    Http http = Http.url(template).storedAsSource();
    for (Map.Entry<String, String> header : parsed.headers().entrySet()) {
      http = http.header(header.getKey(), header.getValue());
    }
    return Optional.of(http);
  }
}
