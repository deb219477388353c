package dev.gantry.backend.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.backend.BackendException;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.ParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON text kept in VARCHAR columns (labels with sources, secret names, parameter specs, run
 * parameters). Sets and maps are written sorted so equal values give equal text.
 */
final class JsonColumns {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final TypeReference<List<FlowLabel>> FLOW_LABELS = new TypeReference<>() {};
  private static final TypeReference<List<ParameterSpec>> PARAMETER_SPECS =
      new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private JsonColumns() {}

  static String flowLabels(List<FlowLabel> labels) {
    return write(labels);
  }

  static List<FlowLabel> flowLabels(String json, String owner) {
    return read(json, FLOW_LABELS, "labels", owner);
  }

  static String parameterSpecs(List<ParameterSpec> specs) {
    return write(specs);
  }

  static List<ParameterSpec> parameterSpecs(String json, String owner) {
    return read(json, PARAMETER_SPECS, "parameters", owner);
  }

  static String names(Set<String> names) {
    return write(new TreeSet<>(names));
  }

  static Set<String> names(String json, String column, String owner) {
    return Set.copyOf(read(json, STRINGS, column, owner));
  }

  static String parameterValues(Map<String, String> values) {
    return write(new TreeMap<>(values));
  }

  static Map<String, String> parameterValues(String json, String owner) {
    return read(json, STRING_MAP, "parameters", owner);
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type, String column, String owner) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new BackendException(
          "cannot read the " + column + " of " + owner + ": " + e.getOriginalMessage(), e);
    }
  }
}
