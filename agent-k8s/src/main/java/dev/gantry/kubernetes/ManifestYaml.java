package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes manifests as YAML, through fabric8's model: written as {@code kubectl apply -f -}
 * takes them, and read strictly, so a misspelt field (which the model would keep aside as an
 * "additional property" and Kubernetes would drop) is an error naming it.
 */
public final class ManifestYaml {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$");
  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private ManifestYaml() {}

  /** The objects as one multi-document YAML stream. */
  public static String write(List<? extends HasMetadata> objects) {
    StringBuilder out = new StringBuilder();
    for (HasMetadata object : objects) {
      String yaml = SERIALIZATION.asYaml(object);
      if (!yaml.startsWith("---")) {
        out.append("---\n");
      }
      out.append(yaml);
      if (!yaml.endsWith("\n")) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Reads every document of a YAML stream as a Kubernetes object of a known kind.
   *
   * @param source what the text is, for messages (a file name)
   * @throws IllegalArgumentException naming the source, the document and the unknown kind or field
   */
  public static List<HasMetadata> read(String yaml, String source) {
    List<HasMetadata> objects = new ArrayList<>();
    int index = 0;
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      index++;
      if (isBlank(document)) {
        continue;
      }
      Object parsed;
      try {
        parsed = SERIALIZATION.unmarshal(document);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            source + ", document " + index + ": not a Kubernetes object: " + e.getMessage(), e);
      }
      if (!(parsed instanceof HasMetadata object) || parsed instanceof GenericKubernetesResource) {
        throw new IllegalArgumentException(
            source
                + ", document "
                + index
                + ": unknown kind "
                + describeKind(parsed)
                + "; expected a Kubernetes object with apiVersion and kind");
      }
      requireKnownFields(object, source + ", " + object.getKind() + " " + name(object));
      objects.add(object);
    }
    return objects;
  }

  /**
   * Reads a YAML text holding exactly one object of {@code type}.
   *
   * @throws IllegalArgumentException naming the source and what is wrong
   */
  public static <T extends HasMetadata> T readOne(String yaml, Class<T> type, String source) {
    List<HasMetadata> objects = read(yaml, source);
    if (objects.size() != 1 || !type.isInstance(objects.get(0))) {
      throw new IllegalArgumentException(
          source
              + " must hold exactly one "
              + type.getSimpleName()
              + "; it holds "
              + objects.stream().map(HasMetadata::getKind).toList());
    }
    return type.cast(objects.get(0));
  }

  /** A deep copy of a model object. */
  public static <T> T copy(T object) {
    return SERIALIZATION.clone(object);
  }

  /** The object as JSON, as the API server receives it. */
  public static String json(Object object) {
    return SERIALIZATION.asJson(object);
  }

  /**
   * Fails when the object holds fields the model does not know (kept as additional properties).
   *
   * @throws IllegalArgumentException naming the path of each unknown field
   */
  public static void requireKnownFields(Object object, String what) {
    List<String> unknown = new ArrayList<>();
    collectUnknown(object, "", unknown);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          what
              + ": unknown field"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown));
    }
  }

  private static void collectUnknown(Object value, String path, List<String> unknown) {
    if (value == null) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectUnknown(list.get(i), path + "[" + i + "]", unknown);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        collectUnknown(entry.getValue(), path + "[" + entry.getKey() + "]", unknown);
      }
      return;
    }
    if (!value.getClass().getName().startsWith(MODEL_PACKAGE)) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra) {
          extra.keySet().forEach(key -> unknown.add(join(path, String.valueOf(key))));
        }
        continue;
      }
      collectUnknown(child, join(path, fieldName(getter.getName())), unknown);
    }
  }

  private static String fieldName(String getter) {
    String name = getter.substring(3);
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static boolean isBlank(String document) {
    for (String line : document.split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        return false;
      }
    }
    return true;
  }

  private static String describeKind(Object parsed) {
    if (parsed instanceof GenericKubernetesResource generic) {
      return generic.getApiVersion() + "/" + generic.getKind();
    }
    return parsed == null ? "(empty)" : parsed.getClass().getSimpleName();
  }

  private static String name(HasMetadata object) {
    return object.getMetadata() == null ? "(unnamed)" : object.getMetadata().getName();
  }
}
