package dev.gantry.catalog;

import dev.gantry.flow.ParameterException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a run's parameters against those recorded at registration, before the run is created, so a
 * typo fails the command rather than the run.
 */
public final class RunParameters {
  private RunParameters() {}

  /** Parses {@code k=v} pairs as given on the command line. */
  public static Map<String, String> parsePairs(List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(
            "malformed parameter '" + pair + "'; use --param NAME=VALUE, for example rows=10");
      }
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    return out;
  }

  /**
   * Validates the given values and returns them (text, as the bootstrap receives them).
   *
   * @throws ParameterException naming the flow and the parameter that is unknown, missing or
   *     malformed
   */
  public static Map<String, String> validate(RegisteredFlow flow, Map<String, String> given) {
    Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    flow.parameters().forEach(p -> specs.put(p.name(), p));
    for (String name : given.keySet()) {
      if (!specs.containsKey(name)) {
        throw new ParameterException(
            "flow '"
                + flow.name()
                + "' has no parameter '"
                + name
                + "'; its parameters: "
                + (specs.isEmpty() ? "(none)" : String.join(", ", specs.keySet())));
      }
    }
    given.forEach(
        (name, value) -> {
          if (value == null) {
            throw new ParameterException(
                "parameter '"
                    + name
                    + "' of flow '"
                    + flow.name()
                    + "' has no value; give it as text, or leave it out for its default");
          }
        });
    Map<String, String> out = new TreeMap<>();
    for (ParameterSpec spec : specs.values()) {
      String value = given.get(spec.name());
      if (value == null) {
        if (spec.required()) {
          throw new ParameterException(
              "flow '"
                  + flow.name()
                  + "' needs parameter '"
                  + spec.name()
                  + "' ("
                  + spec.type()
                  + "); give it with --param "
                  + spec.name()
                  + "=VALUE");
        }
        continue;
      }
      check(flow.name(), spec, value);
      out.put(spec.name(), value);
    }
    return out;
  }

  private static void check(String flowName, ParameterSpec spec, String text) {
    String value = text.trim();
    try {
      switch (spec.type()) {
        case "Integer" -> Integer.parseInt(value);
        case "Long" -> Long.parseLong(value);
        case "Double" -> Double.parseDouble(value);
        case "BigDecimal" -> new BigDecimal(value);
        case "Duration" -> Duration.parse(value);
        case "LocalDate" -> LocalDate.parse(value);
        case "Boolean" -> {
          if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not a boolean");
          }
        }
        default -> {
          // String, and enums: the bootstrap checks enum constants with the flow's classes
        }
      }
    } catch (RuntimeException e) {
      throw new ParameterException(
          "parameter '"
              + spec.name()
              + "' of flow '"
              + flowName
              + "' expects "
              + spec.type()
              + " but got '"
              + text
              + "'");
    }
  }
}
