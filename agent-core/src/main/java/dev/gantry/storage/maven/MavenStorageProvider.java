package dev.gantry.storage.maven;

import dev.gantry.flow.storage.Maven;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Maven repositories as a storage kind: {@code maven:} locations, the SDK's {@link Maven}. */
public final class MavenStorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return MavenLocation.SCHEME;
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof Maven;
  }

  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    Maven maven = (Maven) description;
    return new MavenBundleStorage(maven, MavenBundleStorage.credentials(maven, context.secrets()));
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    MavenLocation parsed = MavenLocation.parse(location);
    MavenRun.fetch(flowName, parsed, target, MavenRun.credentials(flowName, parsed, environment));
  }
}
