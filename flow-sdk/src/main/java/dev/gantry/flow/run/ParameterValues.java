package dev.gantry.flow.run;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.ParameterException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** Turns the textual parameter values of a run into typed values, or refuses them. */
final class ParameterValues {
  private ParameterValues() {}

  /**
   * The value of every parameter of {@code flow}: parsed from {@code given}, or its default when
   * not given (a null value counts as not given).
   *
   * @throws ParameterException naming a parameter that is unknown, required and missing, or
   *     malformed
   */
  static Map<String, Object> bind(Flow flow, Map<String, String> given) {
    Objects.requireNonNull(given, "parameters");
    rejectUnknown(flow, given);
    Map<String, Object> values = new HashMap<>();
    for (Parameter<?> parameter : flow.parameters()) {
      String text = given.get(parameter.name());
      if (text != null) {
        values.put(parameter.name(), parameter.parse(text));
      } else if (parameter.required()) {
        throw new ParameterException(
            "parameter '"
                + parameter.name()
                + "' ("
                + parameter.typeName()
                + ") is required by flow '"
                + flow.name()
                + "' but was not given");
      } else {
        values.put(parameter.name(), parameter.defaultValue());
      }
    }
    return values;
  }

  private static void rejectUnknown(Flow flow, Map<String, String> given) {
    List<String> declared = flow.parameters().stream().map(Parameter::name).toList();
    List<String> unknown =
        given.keySet().stream().filter(name -> !declared.contains(name)).sorted().toList();
    if (unknown.isEmpty()) {
      return;
    }
    throw new ParameterException(
        (unknown.size() == 1 ? "unknown parameter " : "unknown parameters ")
            + unknown.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "))
            + " for flow '"
            + flow.name()
            + "' ("
            + (declared.isEmpty()
                ? "it has no parameters"
                : "its parameters: " + String.join(", ", declared))
            + ")");
  }
}
