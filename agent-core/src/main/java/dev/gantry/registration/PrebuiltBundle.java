package dev.gantry.registration;

import dev.gantry.bundle.BundleException;
import dev.gantry.bundle.BundleLoader;
import dev.gantry.bundle.BundleManifest;
import dev.gantry.bundle.LoadedFlow;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Flow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bundle built beforehand ({@code gantry flow bundle}), verified as a run will verify it: its
 * manifest read and its format version checked, the whole file's SHA-256 taken as the version's
 * digest, every entry checked against the manifest, and the flow loaded under the run's filter.
 * Nothing is rewritten: the file registered is the file stored.
 *
 * @param file the bundle
 * @param format the bundle's own format, from its manifest
 * @param digest the SHA-256 of the whole file
 * @param loaded the flow, loaded; closing this closes its class loader
 */
record PrebuiltBundle(
    Path file, BundleManifest manifest, BundleFormat format, String digest, LoadedFlow loaded)
    implements AutoCloseable {

  /**
   * Verifies {@code file}, naming it by its file name in messages (as the server names an upload).
   *
   * @param work an empty directory for the extracted jars
   * @throws RegistrationException one line naming the file and what is wrong with it
   */
  static PrebuiltBundle verify(Path file, Path work) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new RegistrationException("bundle " + file + " does not exist or is not a file", null);
    }
    String name = file.getFileName().toString();
    try {
      BundleManifest manifest = BundleLoader.readManifest(file, name);
      BundleFormat format = formatOf(manifest, name);
      String digest = Sha256.of(file);
      Path check = Files.createDirectories(work.resolve("check"));
      LoadedFlow loaded = BundleLoader.load(file, name, manifest.flowName(), digest, check);
      return new PrebuiltBundle(file, manifest, format, digest, loaded);
    } catch (BundleException e) {
      throw new RegistrationException(e.getMessage(), e);
    }
  }

  private static BundleFormat formatOf(BundleManifest manifest, String name) {
    return switch (manifest.format()) {
      case "serialized" -> BundleFormat.serialized;
      case "source" -> BundleFormat.source;
      default ->
          throw new RegistrationException(
              "bundle at "
                  + name
                  + " has unknown format '"
                  + manifest.format()
                  + "'; build it again with gantry flow bundle",
              null);
    };
  }

  Flow flow() {
    return loaded.flow();
  }

  String factory() {
    return manifest.factory();
  }

  @Override
  public void close() throws IOException {
    loaded.close();
  }
}
