package dev.gantry.catalog;

/** How a registered flow travels from storage to the run. */
public enum BundleFormat {
  /** Serialized flow plus jars; frozen by the bundle's SHA-256. */
  serialized,
  /** Jars plus a factory reference; rebuilt at every run, so replacing the bundle hot-reloads. */
  source,
  /** Nothing stored; the factory is on the image's class path. */
  module
}
