package dev.gantry.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fetches a bundle from any location the bootstrap may be given, with the installed storage kind of
 * the location's scheme ({@link StorageRegistry}).
 */
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
    StorageRegistry.installed().fetch(flowName, location, target, environment);
  }
}
