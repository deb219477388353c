package dev.gantry.server.property;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One generated request: the route it aims at, the concrete path and query, headers and body, and
 * the defects put into it on purpose. No defect means a legal (if odd) read.
 *
 * @param route the route's method and path pattern, e.g. {@code POST /api/v1/runs/{id}/cancel}
 * @param body null for none
 */
record HostileRequest(
    ApiRouteRef route,
    String path,
    String query,
    Map<String, String> headers,
    byte[] body,
    List<String> defects) {

  /** A route of the OpenAPI document. */
  record ApiRouteRef(String method, String path, String auditAction) {
    boolean changes() {
      return !method.equals("GET");
    }

    boolean streams() {
      return path.endsWith("/events");
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** A part of a request with the defects it carries. */
  record Part<T>(T value, List<String> defects) {
    static <T> Part<T> fine(T value) {
      return new Part<>(value, List.of());
    }

    static <T> Part<T> bad(T value, String defect) {
      return new Part<>(value, List.of(defect));
    }
  }

  static HostileRequest of(
      ApiRouteRef route,
      Part<String> path,
      Part<String> query,
      Part<Map<String, String>> headers,
      Part<byte[]> body) {
    List<String> defects = new ArrayList<>();
    defects.addAll(path.defects());
    defects.addAll(query.defects());
    defects.addAll(headers.defects());
    defects.addAll(body.defects());
    return new HostileRequest(
        route,
        path.value(),
        query.value(),
        new LinkedHashMap<>(headers.value()),
        body.value(),
        List.copyOf(defects));
  }

  String bodyText() {
    return body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
  }

  String target() {
    return query.isEmpty() ? path : path + "?" + query;
  }

  @Override
  public String toString() {
    return route
        + " as "
        + route.method()
        + " "
        + HostileInputs.preview(target())
        + " headers "
        + headers
        + (body == null
            ? ""
            : " body "
                + HostileInputs.preview(new String(body, java.nio.charset.StandardCharsets.UTF_8)))
        + " defects "
        + defects;
  }
}
