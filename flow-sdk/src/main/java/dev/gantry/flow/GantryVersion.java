package dev.gantry.flow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of Gantry this SDK belongs to, recorded in every bundle. */
public final class GantryVersion {
  private static final String VERSION = load();

  private GantryVersion() {}

  public static String current() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = GantryVersion.class.getResourceAsStream("gantry-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
