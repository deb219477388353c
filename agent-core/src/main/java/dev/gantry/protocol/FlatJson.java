package dev.gantry.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small JSON of the bootstrap protocol: one flat object of strings, numbers, booleans and
 * nulls, for protocol lines ({@link ProtocolWriter}), the launch parameters and a standby's launch
 * variables. Hand-written so the bootstrap starts without loading a JSON library (its start time is
 * part of every run's latency); the agent reads protocol lines with {@link ProtocolParser}.
 */
public final class FlatJson {
  private FlatJson() {}

  /** Encodes a flat object; values are CharSequence, Number, Boolean or null. */
  public static String encode(Map<String, ?> fields) {
    StringBuilder out = new StringBuilder(64 + fields.size() * 24);
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, ?> field : fields.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(field.getKey(), out);
      out.append(':');
      Object value = field.getValue();
      if (value == null) {
        out.append("null");
      } else if (value instanceof Number || value instanceof Boolean) {
        out.append(value);
      } else {
        quote(value.toString(), out);
      }
    }
    return out.append('}').toString();
  }

  static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Decodes a flat object whose values are all strings (or null).
   *
   * @throws IllegalArgumentException with the position when the text is not such an object
   */
  public static Map<String, String> decodeStrings(String json) {
    Parser p = new Parser(json);
    Map<String, String> out = new LinkedHashMap<>();
    p.skipSpace();
    p.expect('{');
    p.skipSpace();
    if (p.peek() == '}') {
      p.pos++;
    } else {
      while (true) {
        p.skipSpace();
        String key = p.string();
        p.skipSpace();
        p.expect(':');
        p.skipSpace();
        String value;
        if (json.startsWith("null", p.pos)) {
          p.pos += 4;
          value = null;
        } else {
          value = p.string();
        }
        out.put(key, value);
        p.skipSpace();
        if (p.peek() == ',') {
          p.pos++;
          continue;
        }
        p.expect('}');
        break;
      }
    }
    p.skipSpace();
    if (p.pos != json.length()) {
      throw p.error("unexpected text after the object");
    }
    return out;
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = peek();
        pos++;
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            try {
              out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            pos += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at position " + pos);
    }
  }
}
