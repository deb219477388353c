package dev.gantry.backend.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.backend.BackendException;
import dev.gantry.catalog.RunConfig;
import dev.gantry.catalog.RunSettingValue;
import java.util.List;

/** The {@code flows.run_config} column: a flow version's run settings with their sources. */
final class RunConfigColumn {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<RunSettingValue>> SETTINGS = new TypeReference<>() {};

  private RunConfigColumn() {}

  static String write(RunConfig config) {
    try {
      return MAPPER.writeValueAsString(config.settings());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write run settings: " + e.getOriginalMessage(), e);
    }
  }

  static RunConfig read(String json, String owner) {
    if (json == null || json.isBlank()) {
      return RunConfig.EMPTY;
    }
    try {
      return new RunConfig(MAPPER.readValue(json, SETTINGS));
    } catch (JsonProcessingException e) {
      throw new BackendException(
          "cannot read the run settings of " + owner + ": " + e.getOriginalMessage(), e);
    }
  }
}
