package dev.gantry.bundle;

import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.GantryVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes bundles: a zip of the manifest, the serialized flow (serialized format) and the user jars.
 */
public final class BundleWriter {
  private BundleWriter() {}

  /**
   * Writes a serialized bundle: the flow object, frozen, plus the jars its classes come from.
   *
   * @throws BundleException naming the flow and the class that cannot be serialized
   */
  public static void writeSerialized(Flow flow, FlowFactory factory, List<Path> jars, Path target)
      throws IOException {
    byte[] serialized = serialize(flow);
    write(flow.name(), "serialized", factory, jars, serialized, target);
  }

  /** Writes a source bundle: the jars and the factory that builds the flow at every run. */
  public static void writeSource(String flowName, FlowFactory factory, List<Path> jars, Path target)
      throws IOException {
    write(flowName, "source", factory, jars, null, target);
  }

  static byte[] serialize(Flow flow) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      DeepStack.call(
          () -> {
            out.writeObject(flow);
            return null;
          });
    } catch (NotSerializableException e) {
      throw new BundleException(
          "flow '"
              + flow.name()
              + "' cannot be serialized: it holds a "
              + e.getMessage()
              + ", which is not Serializable; make it Serializable, create it inside the task, or"
              + " register with --as-source",
          e);
    } catch (IOException | ClassNotFoundException e) {
      throw new BundleException("flow '" + flow.name() + "' cannot be serialized: " + e, e);
    }
    return bytes.toByteArray();
  }

  private static void write(
      String flowName,
      String format,
      FlowFactory factory,
      List<Path> jars,
      byte[] serializedFlow,
      Path target)
      throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    Map<String, Path> jarEntries = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      if (!names.add(name)) {
        throw new BundleException(
            "two jars are named " + name + " for flow '" + flowName + "'; rename one of them");
      }
      jarEntries.put(BundleManifest.JAR_DIR + name, jar);
      entries.put(BundleManifest.JAR_DIR + name, Sha256.of(jar));
    }
    if (serializedFlow != null) {
      entries.put(BundleManifest.FLOW_ENTRY, Sha256.of(serializedFlow));
    }
    BundleManifest manifest =
        new BundleManifest(
            BundleManifest.CURRENT_FORMAT_VERSION,
            flowName,
            format,
            factory.toString(),
            System.getProperty("java.version"),
            GantryVersion.current(),
            entries);

    Files.createDirectories(target.toAbsolutePath().getParent());
    try (OutputStream file = Files.newOutputStream(target);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry(BundleManifest.ENTRY));
      zip.write(manifest.toBytes());
      zip.closeEntry();
      if (serializedFlow != null) {
        zip.putNextEntry(new ZipEntry(BundleManifest.FLOW_ENTRY));
        zip.write(serializedFlow);
        zip.closeEntry();
      }
      for (Map.Entry<String, Path> jar : jarEntries.entrySet()) {
        zip.putNextEntry(new ZipEntry(jar.getKey()));
        Files.copy(jar.getValue(), zip);
        zip.closeEntry();
      }
    }
  }
}
