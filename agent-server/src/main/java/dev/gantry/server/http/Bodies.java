package dev.gantry.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.gantry.server.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Reads a request body into a DTO with the strict mapping, or refuses it with a 400 that names the
 * field and the kind of mistake — never the value, which may be a secret.
 */
public final class Bodies {
  private Bodies() {}

  public static <T> T read(Context ctx, Class<T> type) {
    return parse(ctx.bodyAsBytes(), type);
  }

  /**
   * Parses a JSON document (a body, or the JSON part of an upload) into a DTO.
   *
   * @throws ApiException a 400 naming the field and the kind of mistake
   */
  public static <T> T parse(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request needs a JSON body");
    }
    try {
      T value = Json.mapper().readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("the request body must be a JSON object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(
          "unknown field '" + e.getPropertyName() + "' in the request body");
    } catch (JsonParseException e) {
      throw ApiException.badRequest(
          "the request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (JsonMappingException e) {
      String field =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      throw ApiException.badRequest(
          field.isEmpty()
              ? "the request body does not have the expected shape"
              : "field '" + field + "' of the request body is missing or has the wrong type");
    } catch (IOException e) {
      throw ApiException.badRequest("the request body cannot be read");
    }
  }
}
