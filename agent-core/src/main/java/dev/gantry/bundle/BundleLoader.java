package dev.gantry.bundle;

import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.flow.GantryVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Verifies and loads bundles. The order is the point: the whole file's SHA-256 is compared with the
 * registered one, then every entry with its manifest digest, and only then is anything
 * deserialized, under {@link FlowInputFilter}.
 */
public final class BundleLoader {
  private static final int MAX_MANIFEST_BYTES = 1024 * 1024;

  private BundleLoader() {}

  /**
   * Loads the bundle stored in {@code file}.
   *
   * @param location where the bundle came from, for messages
   * @param expectedFlowName the flow the bundle must hold
   * @param expectedDigest the registered SHA-256, or null to skip the whole-file check (source
   *     bundles, which may be replaced to hot-reload; their entries are still verified)
   * @param workDir an empty directory for the extracted jars; it must outlive the flow's run
   */
  public static LoadedFlow load(
      Path file, String location, String expectedFlowName, String expectedDigest, Path workDir)
      throws IOException {
    if (expectedDigest != null) {
      String actual = Sha256.of(file);
      if (!actual.equalsIgnoreCase(expectedDigest)) {
        throw new BundleDigestMismatch(expectedFlowName, location, expectedDigest, actual);
      }
    }
    try (ZipFile zip = openZip(file, location)) {
      BundleManifest manifest = readManifest(zip, location);
      if (manifest.formatVersion() > BundleManifest.CURRENT_FORMAT_VERSION) {
        throw new BundleException(
            "bundle at "
                + location
                + " has format version "
                + manifest.formatVersion()
                + " (built with "
                + manifest.builtWith()
                + "); this runtime (Gantry "
                + GantryVersion.current()
                + ") reads up to "
                + BundleManifest.CURRENT_FORMAT_VERSION
                + ": run the flow in a newer Gantry image");
      }
      if (!manifest.flowName().equals(expectedFlowName)) {
        throw new BundleException(
            "bundle at "
                + location
                + " holds flow '"
                + manifest.flowName()
                + "', not '"
                + expectedFlowName
                + "'; register the flow again");
      }
      checkEntries(zip, manifest, location);
      List<Path> jars = extractJars(zip, manifest, location, workDir);
      BundleClassLoader loader = new BundleClassLoader(manifest.flowName(), jars);
      try {
        Flow flow =
            switch (manifest.format()) {
              case "serialized" -> deserialize(zip, manifest, location, loader);
              case "source" -> buildFromFactory(manifest, loader);
              default ->
                  throw new BundleException(
                      "bundle at "
                          + location
                          + " has unknown format '"
                          + manifest.format()
                          + "'; register the flow again");
            };
        if (!flow.name().equals(expectedFlowName)) {
          throw new BundleException(
              "factory "
                  + manifest.factory()
                  + " in bundle at "
                  + location
                  + " built flow '"
                  + flow.name()
                  + "', not '"
                  + expectedFlowName
                  + "'");
        }
        return new LoadedFlow(flow, manifest, loader);
      } catch (RuntimeException | IOException e) {
        loader.close();
        throw e;
      }
    }
  }

  /**
   * The manifest of the bundle in {@code file}, read without loading anything: for registering a
   * prebuilt bundle, whose flow name is only known from it.
   *
   * @throws BundleException when the file is not a bundle or is of a format this version cannot
   *     read, naming {@code location}
   */
  public static BundleManifest readManifest(Path file, String location) throws IOException {
    try (ZipFile zip = openZip(file, location)) {
      BundleManifest manifest = readManifest(zip, location);
      if (manifest.formatVersion() > BundleManifest.CURRENT_FORMAT_VERSION) {
        throw new BundleException(
            "bundle at "
                + location
                + " has format version "
                + manifest.formatVersion()
                + " (built with "
                + manifest.builtWith()
                + "); this Gantry ("
                + GantryVersion.current()
                + ") reads up to "
                + BundleManifest.CURRENT_FORMAT_VERSION
                + ": register it with a newer Gantry, or build it again with this one");
      }
      return manifest;
    }
  }

  private static ZipFile openZip(Path file, String location) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (java.util.zip.ZipException e) {
      throw new BundleException(
          "bundle at " + location + " is not a Gantry bundle (not a zip file): " + e.getMessage(),
          e);
    }
  }

  private static BundleManifest readManifest(ZipFile zip, String location) throws IOException {
    ZipEntry entry = zip.getEntry(BundleManifest.ENTRY);
    if (entry == null) {
      throw new BundleException(
          "bundle at " + location + " has no " + BundleManifest.ENTRY + "; it is not a bundle");
    }
    return BundleManifest.parse(readEntry(zip, entry, MAX_MANIFEST_BYTES, location), location);
  }

  /** Every entry must be listed with the right digest, and nothing unlisted may be present. */
  private static void checkEntries(ZipFile zip, BundleManifest manifest, String location)
      throws IOException {
    Set<String> seen = new HashSet<>();
    for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
      ZipEntry entry = it.nextElement();
      String name = entry.getName();
      if (name.equals(BundleManifest.ENTRY)) {
        continue;
      }
      String expected = manifest.entries().get(name);
      if (expected == null) {
        throw new BundleException(
            "bundle at " + location + " has entry " + name + " that its manifest does not list");
      }
      if (!seen.add(name)) {
        throw new BundleException("bundle at " + location + " has entry " + name + " twice");
      }
      String actual;
      try (InputStream in = zip.getInputStream(entry)) {
        actual = Sha256.of(in);
      }
      if (!actual.equalsIgnoreCase(expected)) {
        throw new BundleException(
            "entry "
                + name
                + " of bundle at "
                + location
                + " has SHA-256 "
                + actual
                + " but its manifest says "
                + expected
                + "; the bundle was tampered with or corrupted: register the flow again");
      }
    }
    for (String listed : manifest.entries().keySet()) {
      if (!seen.contains(listed)) {
        throw new BundleException(
            "bundle at " + location + " lacks entry " + listed + " that its manifest lists");
      }
    }
  }

  private static List<Path> extractJars(
      ZipFile zip, BundleManifest manifest, String location, Path workDir) throws IOException {
    Path jarDir = Files.createDirectories(workDir.resolve("jars"));
    List<Path> jars = new ArrayList<>();
    for (String name : manifest.entries().keySet()) {
      if (!name.startsWith(BundleManifest.JAR_DIR)) {
        continue;
      }
      String fileName = name.substring(BundleManifest.JAR_DIR.length());
      if (fileName.isEmpty()
          || fileName.contains("/")
          || fileName.contains("\\")
          || fileName.startsWith(".")) {
        throw new BundleException("bundle at " + location + " has an unsafe jar name " + name);
      }
      Path target = jarDir.resolve(fileName);
      try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
        Files.copy(in, target);
      }
      jars.add(target);
    }
    return jars;
  }

  private static Flow deserialize(
      ZipFile zip, BundleManifest manifest, String location, BundleClassLoader loader)
      throws IOException {
    ZipEntry entry = zip.getEntry(BundleManifest.FLOW_ENTRY);
    if (entry == null) {
      throw new BundleException(
          "serialized bundle at " + location + " has no " + BundleManifest.FLOW_ENTRY);
    }
    byte[] bytes = readEntry(zip, entry, FlowInputFilter.MAX_BYTES, location);
    FlowInputFilter filter = new FlowInputFilter(loader);
    try (ObjectInputStream in = new BundleObjectInputStream(bytes, loader)) {
      in.setObjectInputFilter(filter);
      Object value = DeepStack.call(in::readObject);
      if (!(value instanceof Flow flow)) {
        throw new BundleException(
            "bundle at " + location + " holds a " + value.getClass().getName() + ", not a Flow");
      }
      return flow;
    } catch (ClassNotFoundException | MissingBundleClass e) {
      String missing = e instanceof MissingBundleClass m ? m.className : e.getMessage();
      throw new BundleException(
          "class "
              + missing
              + " of flow '"
              + manifest.flowName()
              + "' not found: the bundle was built with "
              + manifest.builtWith()
              + ", this runtime is "
              + runtime()
              + "; the jars given at registration must contain it",
          e instanceof MissingBundleClass ? e.getCause() : e);
    } catch (InvalidClassException e) {
      if (filter.rejectedClass() != null) {
        throw new BundleException(
            "flow '"
                + manifest.flowName()
                + "' in bundle at "
                + location
                + (filter.rejectedClass().startsWith("limits")
                    ? " exceeds the deserialization " + filter.rejectedClass()
                    : " contains "
                        + filter.rejectedClass()
                        + ", which a flow may not contain (only JDK value classes, the flow SDK"
                        + " and the bundle's own classes are deserialized)"),
            e);
      }
      throw new BundleException(
          "class "
              + e.classname
              + " of flow '"
              + manifest.flowName()
              + "' is not the version the bundle was built with: the bundle was built with "
              + manifest.builtWith()
              + ", this runtime is "
              + runtime()
              + " ("
              + e.getMessage()
              + "); register the flow again with this version or run it in a matching image",
          e);
    } catch (ObjectStreamException e) {
      // A task lambda whose code no longer matches its class (e.g. the SDK's or the user's
      // class changed between build and run) surfaces as a failed readResolve.
      throw new BundleException(
          "flow '"
              + manifest.flowName()
              + "' in bundle at "
              + location
              + " cannot be rebuilt: the code of "
              + (filter.lastBundleClass() != null ? filter.lastBundleClass() : "a task")
              + " differs from the code it was serialized with (the bundle was built with "
              + manifest.builtWith()
              + ", this runtime is "
              + runtime()
              + "; "
              + e.getMessage()
              + "); register the flow again with this version or run it in a matching image",
          e);
    }
  }

  private static Flow buildFromFactory(BundleManifest manifest, BundleClassLoader loader) {
    try {
      return FlowFactory.parse(manifest.factory()).build(loader);
    } catch (FlowLoadException e) {
      throw new BundleException(
          e.getMessage()
              + " (bundle built with "
              + manifest.builtWith()
              + ", runtime "
              + runtime()
              + ")",
          e);
    }
  }

  static String runtime() {
    return "Gantry " + GantryVersion.current() + " on Java " + System.getProperty("java.version");
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry entry, long limit, String location)
      throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
      if (bytes.length > limit) {
        throw new BundleException(
            "entry "
                + entry.getName()
                + " of bundle at "
                + location
                + " exceeds "
                + limit
                + " bytes");
      }
      return bytes;
    }
  }

  /** A class the serialized flow names is in none of the bundle's jars. */
  private static final class MissingBundleClass extends IOException {
    private static final long serialVersionUID = 1L;
    private final String className;

    MissingBundleClass(String className, ClassNotFoundException cause) {
      super(className, cause);
      this.className = className;
    }
  }

  /** Resolves classes through the bundle's class loader. */
  private static final class BundleObjectInputStream extends ObjectInputStream {
    private static final Set<String> PRIMITIVES =
        Set.of("boolean", "byte", "char", "short", "int", "long", "float", "double", "void");
    private final ClassLoader loader;

    BundleObjectInputStream(byte[] bytes, ClassLoader loader) throws IOException {
      super(new ByteArrayInputStream(bytes));
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      if (PRIMITIVES.contains(desc.getName())) {
        return super.resolveClass(desc);
      }
      // Never the caller's loader: a class missing from the bundle must not come from Gantry's.
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        // ObjectInputStream would only note a ClassNotFoundException and go on, failing later
        // with a confusing ClassCastException; an IOException stops it here, naming the class.
        throw new MissingBundleClass(desc.getName(), e);
      }
    }
  }
}
