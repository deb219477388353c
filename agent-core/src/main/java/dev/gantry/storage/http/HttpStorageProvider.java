package dev.gantry.storage.http;

import dev.gantry.flow.storage.Http;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

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
}
