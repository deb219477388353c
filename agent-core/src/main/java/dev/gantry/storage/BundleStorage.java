package dev.gantry.storage;

import dev.gantry.catalog.BundleFormat;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where bundles are kept: written at registration, fetched by the bootstrap. A location is a URI
 * that names the bundle completely, so the bootstrap needs nothing but the location (and the
 * storage's secrets) to fetch it.
 *
 * <p>Serialized bundles go under keys derived from their SHA-256, so storing a new bundle can never
 * change a registered flow; source bundles go under a stable key per flow, so replacing the stored
 * file changes the next run (hot reload).
 */
public interface BundleStorage {

  /**
   * Stores a bundle file.
   *
   * @return the bundle's location
   */
  String store(String flowName, BundleFormat format, String digest, Path bundle) throws IOException;

  /**
   * Copies the bundle at {@code location} to {@code target}.
   *
   * @throws StorageException naming the location and what to do when it is missing or unreadable
   */
  void fetch(String flowName, String location, Path target) throws IOException;

  /** The key under which a bundle of this flow is stored (relative to the storage root). */
  static String key(String flowName, BundleFormat format, String digest) {
    return switch (format) {
      case serialized -> flowName + "/" + digest + ".gantry";
      case source -> flowName + "/source.gantry";
      case module -> throw new IllegalArgumentException("module flows store no bundle");
    };
  }
}
