package dev.gantry.storage;

import dev.gantry.storage.s3.S3BundleStorage;
import dev.gantry.storage.s3.S3Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Fetches a bundle from any location the bootstrap may be given, by the location's scheme. */
public final class BundleLocations {
  private BundleLocations() {}

  public static void fetch(String flowName, String location, Path target) throws IOException {
    fetch(flowName, location, target, System.getenv());
  }

  /**
   * As {@link #fetch(String, String, Path)}, with the run's environment, which carries the values
   * of the secrets a storage signs with ({@code GANTRY_SECRET_<NAME>}).
   */
  public static void fetch(
      String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    if (location.startsWith("file:")) {
      LocalBundleStorage.fetchFile(flowName, location, target);
      return;
    }
    if (S3Location.isS3(location)) {
      S3BundleStorage.fetch(flowName, S3Location.parse(location), target, environment);
      return;
    }
    throw new StorageException(
        "bundle location "
            + location
            + " of flow '"
            + flowName
            + "' has a scheme this Gantry cannot read; supported: file:, s3:");
  }
}
