package dev.gantry.bootstrap;

import java.util.Map;

/**
 * The protocol's flat JSON under its former name, for code not yet moved to {@link
 * dev.gantry.protocol.FlatJson}; it only delegates.
 */
public final class FlatJson {
  private FlatJson() {}

  /** Encodes a flat object; values are CharSequence, Number, Boolean or null. */
  public static String encode(Map<String, ?> fields) {
    return dev.gantry.protocol.FlatJson.encode(fields);
  }

  /**
   * Decodes a flat object whose values are all strings (or null).
   *
   * @throws IllegalArgumentException with the position when the text is not such an object
   */
  public static Map<String, String> decodeStrings(String json) {
    return dev.gantry.protocol.FlatJson.decodeStrings(json);
  }
}
