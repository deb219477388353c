package dev.gantry.storage.local;

import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.BundleStorageContractTest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The storage contract on a local directory. */
class LocalBundleStorageContractTest extends BundleStorageContractTest {

  @Override
  protected BundleStorage storage() {
    return new LocalBundleStorage(work.resolve("flows"));
  }

  @Override
  protected Map<String, String> runEnvironment() {
    return Map.of();
  }

  @Override
  protected void deleteStored(String location) throws IOException {
    Files.delete(Path.of(URI.create(location)));
  }

  @Override
  protected String named(String location) {
    return Path.of(URI.create(location)).toString();
  }
}
