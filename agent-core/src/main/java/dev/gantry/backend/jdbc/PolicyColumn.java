package dev.gantry.backend.jdbc;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.backend.BackendException;
import dev.gantry.launch.LaunchPolicy;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code agents.policy} column: what an agent lets its runs ask for, as JSON, or NULL for an
 * agent that published none. Unknown fields are ignored and missing lists read as empty, so agents
 * of other versions can share one database.
 */
final class PolicyColumn {
  private static final ObjectMapper MAPPER = mapper();

  private PolicyColumn() {}

  private static ObjectMapper mapper() {
    ObjectMapper mapper =
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JsonSetter.Value empty = JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY);
    mapper.configOverride(List.class).setSetterInfo(empty);
    mapper.configOverride(Set.class).setSetterInfo(empty);
    return mapper;
  }

  /** The policy as JSON (service accounts sorted, so equal policies give equal text), or null. */
  static String write(LaunchPolicy policy) {
    if (policy == null) {
      return null;
    }
    ObjectNode node = MAPPER.valueToTree(policy);
    node.set(
        "allowedServiceAccounts",
        MAPPER.valueToTree(new TreeSet<>(policy.allowedServiceAccounts())));
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot write an agent policy: " + e.getOriginalMessage(), e);
    }
  }

  /** The policy the column holds, or null when it holds none. */
  static LaunchPolicy read(String json, String owner) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return MAPPER.readValue(json, LaunchPolicy.class);
    } catch (JsonProcessingException e) {
      throw new BackendException(
          "cannot read the policy of " + owner + ": " + e.getOriginalMessage(), e);
    }
  }
}
