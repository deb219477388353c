package dev.gantry.bundle;

import dev.gantry.flow.Flow;
import java.io.IOException;

/** A flow loaded from a verified bundle, with the class loader its classes came from. */
public record LoadedFlow(Flow flow, BundleManifest manifest, BundleClassLoader classLoader)
    implements AutoCloseable {

  @Override
  public void close() throws IOException {
    classLoader.close();
  }
}
