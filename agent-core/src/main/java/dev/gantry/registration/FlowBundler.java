package dev.gantry.registration;

import dev.gantry.bundle.BundleClassLoader;
import dev.gantry.bundle.BundleException;
import dev.gantry.bundle.BundleWriter;
import dev.gantry.bundle.Sha256;
import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.flow.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Builds the bundle {@code gantry flow register} would store, without registering it: the flow is
 * built with its factory from the jars, frozen (or, as source, its jars and factory kept), and
 * proven to load as a run will load it. {@code gantry flow register --bundle} registers the file
 * later, unchanged.
 */
public final class FlowBundler {
  private FlowBundler() {}

  /** The bundle written: its flow, format, factory and the SHA-256 of the whole file. */
  public record Bundle(String flowName, BundleFormat format, String factory, String digest) {}

  /**
   * Writes the bundle of the flow {@code factory} builds to {@code target}, replacing it; nothing
   * is written when the flow cannot be built, frozen or loaded back.
   *
   * @param asSource a source bundle (jars and factory), else serialized unless the flow's own
   *     storage description is of the source kind
   * @throws RegistrationException one line naming the jar, factory or class at fault
   */
  public static Bundle write(List<Path> jars, String factory, boolean asSource, Path target) {
    if (jars.isEmpty()) {
      throw new RegistrationException("give at least one jar with --jar", null);
    }
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar)) {
        throw new RegistrationException("jar " + jar + " does not exist or is not a file", null);
      }
    }
    FlowFactory parsed;
    try {
      parsed = FlowFactory.parse(factory);
    } catch (IllegalArgumentException e) {
      throw new RegistrationException(e.getMessage(), e);
    }
    Path work = null;
    try (BundleClassLoader loader = new BundleClassLoader("bundle", jars)) {
      Flow flow;
      try {
        flow = parsed.build(loader);
      } catch (FlowLoadException e) {
        throw new RegistrationException(e.getMessage(), e);
      }
      BundleFormat format =
          asSource || (flow.storage() != null && flow.storage().format() == Storage.Format.SOURCE)
              ? BundleFormat.source
              : BundleFormat.serialized;
      work = Files.createTempDirectory("gantry-bundle-");
      Path written = work.resolve("flow.gantry");
      if (format == BundleFormat.serialized) {
        BundleWriter.writeSerialized(flow, parsed, jars, written);
      } else {
        BundleWriter.writeSource(flow.name(), parsed, jars, written);
      }
      String digest = Sha256.of(written);
      FlowRegistrar.proveLoadable(flow.name(), written, format, digest, work);
      Path absolute = target.toAbsolutePath();
      Files.createDirectories(absolute.getParent());
      // Beside the target, then moved: a reader never sees half a bundle.
      Path partial = Files.createTempFile(absolute.getParent(), ".bundle-", ".partial");
      try {
        Files.copy(written, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(partial);
      }
      return new Bundle(flow.name(), format, parsed.toString(), digest);
    } catch (BundleException e) {
      throw new RegistrationException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("bundling " + factory + " into " + target + ": " + e, e);
    } finally {
      WorkDirectory.deleteQuietly(work);
    }
  }
}
