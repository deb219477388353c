package dev.gantry.server.http;

import dev.gantry.server.auth.Role;
import io.javalin.http.Handler;
import java.util.Objects;

/**
 * One route of the API: method, path (Javalin's {@code {param}} syntax), the least role that may
 * call it, and for a route that changes something the audit action it records.
 *
 * @param action null for a read; else the audit action, e.g. {@code token.create}
 * @param summary one line for the OpenAPI document
 * @param body what the route reads as its body, for the OpenAPI document; null for none
 */
public record ApiRoute(
    Method method,
    String path,
    Role role,
    String action,
    String summary,
    Handler handler,
    RequestBody body) {

  /** The methods the API uses. */
  public enum Method {
    GET,
    POST,
    PUT,
    DELETE
  }

  public ApiRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(handler, "handler");
    if ((action == null) != (method == Method.GET)) {
      throw new IllegalArgumentException(
          method + " " + path + ": reads have no audit action and changes must have one");
    }
  }

  public ApiRoute(
      Method method, String path, Role role, String action, String summary, Handler handler) {
    this(method, path, role, action, summary, handler, null);
  }

  /** This route, documented as reading {@code value}. */
  public ApiRoute withBody(RequestBody value) {
    return new ApiRoute(method, path, role, action, summary, handler, value);
  }

  public static ApiRoute read(String path, Role role, String summary, Handler handler) {
    return new ApiRoute(Method.GET, path, role, null, summary, handler);
  }

  public static ApiRoute change(
      Method method, String path, Role role, String action, String summary, Handler handler) {
    return new ApiRoute(method, path, role, action, summary, handler);
  }
}
