package dev.gantry.storage.local;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A directory on this machine; locations are {@code file:} URIs. */
public final class LocalBundleStorage implements BundleStorage {
  private final Path root;

  public LocalBundleStorage(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public String store(String flowName, BundleFormat format, String digest, Path bundle)
      throws IOException {
    Path target = root.resolve(BundleStorage.key(flowName, format, digest));
    Files.createDirectories(target.getParent());
    // Write beside the target and move, so a run never reads a half-written bundle.
    Path partial = Files.createTempFile(target.getParent(), ".upload-", ".partial");
    try {
      Files.copy(bundle, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    return target.toUri().toString();
  }

  @Override
  public void fetch(String flowName, String location, Path target) throws IOException {
    fetchFile(flowName, location, target);
  }

  /** Copies a {@code file:} location; any agent on the machine can read it without a storage. */
  public static void fetchFile(String flowName, String location, Path target) throws IOException {
    Path source;
    try {
      source = Path.of(URI.create(location));
    } catch (IllegalArgumentException e) {
      throw new StorageException(
          "bundle location " + location + " of flow '" + flowName + "' is not a file URI", e);
    }
    if (!Files.exists(source)) {
      throw new StorageException(
          "bundle of flow '"
              + flowName
              + "' not found at "
              + source
              + ": it was deleted or moved, or this machine cannot see that directory; register"
              + " the flow again",
          new NoSuchFileException(source.toString()));
    }
    if (!Files.isReadable(source)) {
      throw new StorageException(
          "bundle of flow '" + flowName + "' at " + source + " is not readable: permission denied",
          new AccessDeniedException(source.toString()));
    }
    try {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StorageException(
          "cannot copy the bundle of flow '"
              + flowName
              + "' from "
              + source
              + " to "
              + target
              + ": "
              + e,
          e);
    }
  }
}
