package dev.gantry.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges a flow's Job template over the agent's without losing a field of either: objects merge
 * field by field (the flow's value wins where both set one), lists of named items (containers,
 * volumes, env, ports...) merge item by item by name, and other lists keep the agent's items and
 * add the flow's that differ.
 */
final class JobTemplateMerge {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JobTemplateMerge() {}

  /** The agent's template with the flow's merged over it, as a new Job. */
  static Job merge(Job agent, Job flow, String source) {
    Map<String, Object> merged = mergeMaps(tree(agent), tree(flow));
    try {
      return ManifestYaml.readOne(MAPPER.writeValueAsString(merged), Job.class, source);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": cannot be merged: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(Job job) {
    try {
      return MAPPER.readValue(ManifestYaml.json(job), LinkedHashMap.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Job that cannot be read back as JSON: " + e, e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> mergeMaps(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach(
        (key, value) -> {
          Object before = out.get(key);
          if (before instanceof Map<?, ?> b && value instanceof Map<?, ?> v) {
            out.put(key, mergeMaps((Map<String, Object>) b, (Map<String, Object>) v));
          } else if (before instanceof List<?> b && value instanceof List<?> v) {
            out.put(key, mergeLists((List<Object>) b, (List<Object>) v));
          } else {
            out.put(key, value);
          }
        });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> mergeLists(List<Object> base, List<Object> over) {
    List<Object> out = new ArrayList<>(base);
    for (Object item : over) {
      int same = named(item) == null ? -1 : indexOfName(out, named(item));
      if (same >= 0 && out.get(same) instanceof Map<?, ?> b) {
        out.set(same, mergeMaps((Map<String, Object>) b, (Map<String, Object>) item));
      } else if (!out.contains(item)) {
        out.add(item);
      }
    }
    return out;
  }

  private static String named(Object item) {
    return item instanceof Map<?, ?> m && m.get("name") instanceof String s ? s : null;
  }

  private static int indexOfName(List<Object> items, String name) {
    for (int i = 0; i < items.size(); i++) {
      if (Objects.equals(named(items.get(i)), name)) {
        return i;
      }
    }
    return -1;
  }
}
