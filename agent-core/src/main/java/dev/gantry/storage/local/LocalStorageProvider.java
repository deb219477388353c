package dev.gantry.storage.local;

import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Local storage as a storage kind: {@code file:} locations, the SDK's {@link Local}. */
public final class LocalStorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof Local;
  }

  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    Local local = (Local) description;
    return new LocalBundleStorage(
        local.directory() == null ? context.defaultDirectory() : Path.of(local.directory()));
  }

  @Override
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    LocalBundleStorage.fetchFile(flowName, location, target);
  }

  /** The directory two levels above the file, which holds {@code FLOW/source.gantry}. */
  @Override
  public Optional<Storage> sourceStorageAt(String flowName, String location) {
    Path file;
    try {
      file = Path.of(URI.create(location)).toAbsolutePath().normalize();
    } catch (IllegalArgumentException e) {
      throw new StorageException(
          "bundle location " + location + " of flow '" + flowName + "' is not a file URI", e);
    }
    Path parent = file.getParent();
    if (parent == null
        || parent.getParent() == null
        || !file.endsWith(Path.of(flowName, "source.gantry"))) {
      return Optional.empty();
    }
    return Optional.of(Local.directory(parent.getParent().toString()).storedAsSource());
  }
}
