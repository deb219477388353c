package dev.gantry.storage;

import java.io.IOException;
import java.nio.file.Path;

/** Fetches a bundle from any location the bootstrap may be given, by the location's scheme. */
public final class BundleLocations {
  private BundleLocations() {}

  public static void fetch(String flowName, String location, Path target) throws IOException {
    if (location.startsWith("file:")) {
      LocalBundleStorage.fetchFile(flowName, location, target);
      return;
    }
    throw new StorageException(
        "bundle location "
            + location
            + " of flow '"
            + flowName
            + "' has a scheme this Gantry cannot read; supported: file:");
  }
}
