package dev.gantry.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.protocol.FlatJson;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces known secret values in text the agent stores or prints. Besides each whole value it
 * masks the forms a value takes in output: each line of a multi-line value, each string field of a
 * JSON value (the keys in {@code AWS_CREDENTIALS}), and each of these as escaped inside a protocol
 * line's JSON string.
 */
public final class Redactor {
  public static final String MASK = "********";

  /** Values this short would mask ordinary words; they are not searched for. */
  static final int MIN_LENGTH = 4;

  public static final Redactor NONE = new Redactor(List.of());

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> values;

  public Redactor(Collection<String> secretValues) {
    Set<String> forms = new LinkedHashSet<>();
    for (String value : secretValues) {
      if (value == null) {
        continue;
      }
      Set<String> parts = new LinkedHashSet<>();
      parts.add(value);
      parts.add(value.strip());
      value.lines().forEach(line -> parts.add(line.strip()));
      parts.addAll(jsonStrings(value));
      for (String part : parts) {
        forms.add(part);
        forms.add(jsonEscaped(part));
      }
    }
    this.values =
        forms.stream()
            .filter(v -> v.length() >= MIN_LENGTH)
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
  }

  public String redact(String text) {
    if (text == null || values.isEmpty()) {
      return text;
    }
    String out = text;
    for (String value : values) {
      if (out.contains(value)) {
        out = out.replace(value, MASK);
      }
    }
    return out;
  }

  /** The string fields of a JSON object value, such as the keys in AWS_CREDENTIALS. */
  private static List<String> jsonStrings(String value) {
    if (!value.strip().startsWith("{")) {
      return List.of();
    }
    try {
      JsonNode node = JSON.readTree(value);
      if (node == null || !node.isObject()) {
        return List.of();
      }
      return node.properties().stream()
          .map(Map.Entry::getValue)
          .filter(JsonNode::isTextual)
          .map(JsonNode::asText)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The text as it appears inside a JSON string of a protocol line. */
  private static String jsonEscaped(String text) {
    String encoded = FlatJson.encode(Map.of("v", text));
    // {"v":"...escaped..."}
    return encoded.substring("{\"v\":\"".length(), encoded.length() - "\"}".length());
  }
}
