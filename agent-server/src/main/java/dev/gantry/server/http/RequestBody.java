package dev.gantry.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * What a route reads as its request body, for the OpenAPI document: a media type and a JSON Schema
 * (2020-12, as OpenAPI 3.1 takes it).
 */
public record RequestBody(String mediaType, ObjectNode schema) {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public RequestBody {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(schema, "schema");
  }

  /**
   * A JSON body read into a DTO record: its components are the properties, and no other is allowed
   * (the API's mapper refuses unknown fields).
   */
  public static RequestBody json(Class<? extends Record> dto) {
    return new RequestBody("application/json", schemaOf(dto));
  }

  /** A multipart/form-data body with these parts (name → schema). */
  public static RequestBody multipart(Map<String, ObjectNode> parts, String... required) {
    ObjectNode schema = JSON.objectNode().put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    parts.forEach(properties::set);
    var names = schema.putArray("required");
    for (String name : required) {
      names.add(name);
    }
    return new RequestBody("multipart/form-data", schema);
  }

  static ObjectNode schemaOf(Type type) {
    Class<?> raw =
        type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (raw == String.class) {
      return JSON.objectNode().put("type", "string");
    }
    if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
      return JSON.objectNode().put("type", "integer");
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return JSON.objectNode().put("type", "boolean");
    }
    if (raw == java.time.Duration.class) {
      return JSON.objectNode().put("type", "string").put("format", "duration");
    }
    if (raw == Instant.class) {
      return JSON.objectNode().put("type", "string").put("format", "date-time");
    }
    if (raw.isEnum()) {
      ObjectNode schema = JSON.objectNode().put("type", "string");
      var values = schema.putArray("enum");
      for (Object constant : raw.getEnumConstants()) {
        values.add(constant.toString());
      }
      return schema;
    }
    if (Collection.class.isAssignableFrom(raw)) {
      ObjectNode schema = JSON.objectNode().put("type", "array");
      if (type instanceof ParameterizedType p) {
        schema.set("items", schemaOf(p.getActualTypeArguments()[0]));
      }
      if (java.util.Set.class.isAssignableFrom(raw)) {
        schema.put("uniqueItems", true);
      }
      return schema;
    }
    if (Map.class.isAssignableFrom(raw)) {
      ObjectNode schema = JSON.objectNode().put("type", "object");
      if (type instanceof ParameterizedType p) {
        schema.set("additionalProperties", schemaOf(p.getActualTypeArguments()[1]));
      }
      return schema;
    }
    if (raw.isRecord()) {
      ObjectNode schema = JSON.objectNode().put("type", "object");
      ObjectNode properties = schema.putObject("properties");
      for (RecordComponent component : raw.getRecordComponents()) {
        properties.set(component.getName(), schemaOf(component.getGenericType()));
      }
      schema.put("additionalProperties", false);
      return schema;
    }
    // An interface with kinds (a storage description): an object, told apart by its "kind".
    return JSON.objectNode().put("type", "object");
  }
}
