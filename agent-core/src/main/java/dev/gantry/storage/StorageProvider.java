package dev.gantry.storage;

import dev.gantry.flow.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One kind of bundle storage (a local directory, S3, ...), found by {@link StorageRegistry} through
 * {@link java.util.ServiceLoader}: list the implementation in {@code
 * META-INF/services/dev.gantry.storage.StorageProvider}. Registration asks it for a {@link
 * BundleStorage} that writes where the flow's storage description says; the bootstrap asks it to
 * fetch a location of its scheme. Adding a kind of storage adds a provider and touches nothing else
 * of the agent.
 */
public interface StorageProvider {

  /** The URI scheme of the locations this kind writes, such as {@code s3}. */
  String scheme();

  /** Whether this kind reads the location; by default, whether the location has its scheme. */
  default boolean handles(String location) {
    return location != null && location.startsWith(scheme() + ":");
  }

  /** Whether this kind writes bundles for the flow SDK's storage description. */
  boolean describes(Storage description);

  /** The labels this storage adds to a flow (before the description's switch applies). */
  default Set<String> defaultLabels(Storage description) {
    return description.defaultLabels();
  }

  /** The secrets a run needs to fetch from this storage. */
  default Set<String> secrets(Storage description) {
    return description.secrets();
  }

  /**
   * The storage registration writes to, for a description this kind {@link #describes}.
   *
   * @throws StorageException naming the storage when it cannot be opened (such as an unreadable
   *     credentials secret)
   */
  BundleStorage open(Storage description, StorageContext context);

  /**
   * Copies the bundle at a location this kind {@link #handles} to {@code target}, as the bootstrap
   * does: with nothing but the location and the run's environment, which carries the values of the
   * secrets the storage signs with ({@code GANTRY_SECRET_<NAME>}).
   *
   * @throws StorageException naming the location and what to do when it is missing or unreadable
   */
  void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException;

  /**
   * The storage description whose {@link #open opened} storage writes a source bundle of {@code
   * flowName} to exactly {@code location} again: what {@code gantry flow push} writes with. Empty
   * when this kind cannot replace a bundle in place (the default).
   */
  default Optional<Storage> sourceStorageAt(String flowName, String location) {
    return Optional.empty();
  }

  /**
   * The prefix a storage was given when it stored the source bundle of {@code flowName} under
   * {@code key} ({@code PREFIX/FLOW/source.gantry}): "" for none, empty when the key is not a
   * source bundle's key of that flow.
   */
  static Optional<String> sourcePrefix(String key, String flowName) {
    String own = BundleStorage.key(flowName, dev.gantry.catalog.BundleFormat.source, null);
    if (key.equals(own)) {
      return Optional.of("");
    }
    return key.endsWith("/" + own)
        ? Optional.of(key.substring(0, key.length() - own.length() - 1))
        : Optional.empty();
  }
}
