package dev.gantry.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The manifest of a bundle: format version, flow name, how the flow travels, the Java and Gantry
 * versions that built it, and the SHA-256 of every other entry. Stored as {@value #ENTRY} in {@link
 * java.util.Properties} form.
 *
 * @param format {@code serialized} or {@code source}
 * @param factory the factory reference; for serialized bundles the one that built the flow
 * @param entries entry name to SHA-256 hex, for every entry but the manifest
 */
public record BundleManifest(
    int formatVersion,
    String flowName,
    String format,
    String factory,
    String javaVersion,
    String gantryVersion,
    Map<String, String> entries) {

  public static final String ENTRY = "gantry/manifest.properties";
  public static final String FLOW_ENTRY = "gantry/flow.ser";
  public static final String JAR_DIR = "jars/";
  public static final int CURRENT_FORMAT_VERSION = 1;

  public BundleManifest {
    entries = Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  public byte[] toBytes() {
    Properties p = new Properties();
    p.setProperty("format-version", Integer.toString(formatVersion));
    p.setProperty("flow-name", flowName);
    p.setProperty("format", format);
    p.setProperty("factory", factory);
    p.setProperty("java-version", javaVersion);
    p.setProperty("gantry-version", gantryVersion);
    entries.forEach((name, sha) -> p.setProperty("sha256." + name, sha));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      p.store(out, "Gantry flow bundle");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static BundleManifest parse(byte[] bytes, String location) {
    Properties p = new Properties();
    try {
      p.load(
          new java.io.InputStreamReader(
              new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1));
    } catch (IOException | IllegalArgumentException e) {
      throw new BundleException("bundle at " + location + " has an unreadable manifest: " + e, e);
    }
    Map<String, String> entries = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("sha256.")) {
        entries.put(key.substring("sha256.".length()), p.getProperty(key));
      }
    }
    int version;
    try {
      version = Integer.parseInt(required(p, "format-version", location));
    } catch (NumberFormatException e) {
      throw new BundleException("bundle at " + location + " has a malformed format-version", e);
    }
    return new BundleManifest(
        version,
        required(p, "flow-name", location),
        required(p, "format", location),
        required(p, "factory", location),
        required(p, "java-version", location),
        required(p, "gantry-version", location),
        entries);
  }

  private static String required(Properties p, String key, String location) {
    String value = p.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new BundleException("bundle at " + location + " has no '" + key + "' in its manifest");
    }
    return value;
  }

  /** "Gantry 0.1.0 on Java 17.0.15", for error messages comparing build and runtime. */
  public String builtWith() {
    return "Gantry " + gantryVersion + " on Java " + javaVersion;
  }
}
