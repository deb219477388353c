package dev.gantry.agent;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Replaces known secret values in text the agent stores or prints. */
public final class Redactor {
  public static final String MASK = "********";

  /** Values this short would mask ordinary words; they are not searched for. */
  static final int MIN_LENGTH = 4;

  public static final Redactor NONE = new Redactor(List.of());

  private final List<String> values;

  public Redactor(Collection<String> secretValues) {
    this.values =
        secretValues.stream()
            .filter(v -> v != null && v.length() >= MIN_LENGTH)
            .distinct()
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
}
