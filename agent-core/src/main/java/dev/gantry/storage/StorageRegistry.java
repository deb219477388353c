package dev.gantry.storage;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of bundle storage this Gantry knows, by scheme: the one place registration and the
 * bootstrap find the {@link StorageProvider} for a storage description or a location.
 */
public final class StorageRegistry {
  private final List<StorageProvider> providers;

  public StorageRegistry(List<StorageProvider> providers) {
    List<StorageProvider> sorted = new ArrayList<>(providers);
    sorted.sort(Comparator.comparing(StorageProvider::scheme));
    this.providers = List.copyOf(sorted);
  }

  /** The providers listed in {@code META-INF/services} on this class's class path. */
  public static StorageRegistry installed() {
    return Installed.REGISTRY;
  }

  /**
   * The provider that reads the location.
   *
   * @throws StorageException naming the location, the flow and the known schemes when none does
   */
  public StorageProvider forLocation(String flowName, String location) {
    for (StorageProvider provider : providers) {
      if (provider.handles(location)) {
        return provider;
      }
    }
    throw new StorageException(
        "bundle location "
            + location
            + " of flow '"
            + flowName
            + "' has a scheme this Gantry cannot read; supported: "
            + knownSchemes());
  }

  /** The provider that writes bundles for the description, if any kind does. */
  public Optional<StorageProvider> forDescription(Storage description) {
    return providers.stream().filter(p -> p.describes(description)).findFirst();
  }

  /** Fetches the bundle at a location with the provider of its scheme. */
  public void fetch(String flowName, String location, Path target, Map<String, String> environment)
      throws IOException {
    forLocation(flowName, location).fetch(flowName, location, target, environment);
  }

  /**
   * Writes a new source bundle over the one at {@code location} (a flow version's stable location),
   * with the kind of the location's scheme and the local secrets in {@code context}.
   *
   * @throws StorageException naming the location and what to do when its kind cannot replace a
   *     bundle in place, or the write fails
   */
  public void replaceSource(
      String flowName, String location, String digest, Path bundle, StorageContext context)
      throws IOException {
    StorageProvider provider = forLocation(flowName, location);
    Storage storage =
        provider
            .sourceStorageAt(flowName, location)
            .orElseThrow(
                () ->
                    new StorageException(
                        "bundle location "
                            + location
                            + " of flow '"
                            + flowName
                            + "' cannot be updated in place ("
                            + provider.scheme()
                            + ": storage); register a new version with `gantry flow register`"));
    String written =
        provider.open(storage, context).store(flowName, BundleFormat.source, digest, bundle);
    if (!written.equals(location)) {
      throw new StorageException(
          "the push of flow '"
              + flowName
              + "' was written to "
              + written
              + ", not to its location "
              + location
              + "; register a new version with `gantry flow register`");
    }
  }

  /**
   * The storage's default labels, before the description's switch applies; a description no kind
   * writes (module flows store nothing) gives its own.
   */
  public Set<String> defaultLabels(Storage description) {
    return forDescription(description)
        .map(p -> p.defaultLabels(description))
        .orElseGet(description::defaultLabels);
  }

  /** The secrets a run needs to fetch from the storage. */
  public Set<String> secrets(Storage description) {
    return forDescription(description)
        .map(p -> p.secrets(description))
        .orElseGet(description::secrets);
  }

  /** "file:, s3:", for messages. */
  public String knownSchemes() {
    return providers.stream().map(p -> p.scheme() + ":").collect(Collectors.joining(", "));
  }

  /** Loaded once, on first use: the bootstrap asks for it once per run. */
  private static final class Installed {
    static final StorageRegistry REGISTRY = load();

    private static StorageRegistry load() {
      List<StorageProvider> found = new ArrayList<>();
      ServiceLoader.load(StorageProvider.class, StorageProvider.class.getClassLoader())
          .forEach(found::add);
      return new StorageRegistry(found);
    }
  }
}
