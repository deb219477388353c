package dev.gantry.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3.1 document, built from the same route table the
 * router is built from, so it cannot name a route that is not served or miss one that is.
 */
public final class OpenApiDocument {
  public static final String PATH = "/api/openapi.json";
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private OpenApiDocument() {}

  public static void install(RoutesConfig routes, List<ApiRoute> apiRoutes, String version) {
    String document = build(apiRoutes, version).toString();
    routes.get(PATH, ctx -> ctx.contentType("application/json").result(document));
  }

  static ObjectNode build(List<ApiRoute> apiRoutes, String version) {
    ObjectNode root = JSON.objectNode();
    root.put("openapi", "3.1.0");
    root.putObject("info")
        .put("title", "Gantry API")
        .put("version", version)
        .put(
            "description",
            "Errors are RFC 9457 problem details; every /api/v1 route needs Authorization: Bearer"
                + " TOKEN (gantry token create).");
    ObjectNode components = root.putObject("components");
    components
        .putObject("securitySchemes")
        .putObject("bearer")
        .put("type", "http")
        .put("scheme", "bearer");
    components
        .putObject("schemas")
        .putObject("Problem")
        .put("type", "object")
        .set(
            "properties",
            JSON.objectNode()
                .<ObjectNode>set("type", JSON.objectNode().put("type", "string"))
                .<ObjectNode>set("title", JSON.objectNode().put("type", "string"))
                .<ObjectNode>set("status", JSON.objectNode().put("type", "integer"))
                .set("detail", JSON.objectNode().put("type", "string")));
    ObjectNode paths = root.putObject("paths");
    open(paths, HealthRoutes.LIVE, "The process serves");
    open(paths, HealthRoutes.READY, "The process serves and its database answers");
    open(paths, PATH, "This document");
    open(paths, "/metrics", "Prometheus metrics of this process (text format)");
    for (ApiRoute route : apiRoutes) {
      ObjectNode item =
          paths.has(route.path())
              ? (ObjectNode) paths.get(route.path())
              : paths.putObject(route.path());
      ObjectNode operation = item.putObject(route.method().name().toLowerCase(Locale.ROOT));
      operation.put("summary", route.summary());
      operation.put("x-gantry-role", route.role().name().toLowerCase(Locale.ROOT));
      if (route.action() != null) {
        operation.put("x-gantry-audit-action", route.action());
      }
      operation.putArray("security").addObject().putArray("bearer");
      ArrayNode parameters = JSON.arrayNode();
      Matcher m = PATH_PARAM.matcher(route.path());
      while (m.find()) {
        parameters
            .addObject()
            .put("name", m.group(1))
            .put("in", "path")
            .put("required", true)
            .set("schema", JSON.objectNode().put("type", "string"));
      }
      if (!parameters.isEmpty()) {
        operation.set("parameters", parameters);
      }
      List<String> problems = new java.util.ArrayList<>(List.of("400", "401", "403", "404"));
      if (route.body() != null) {
        operation
            .putObject("requestBody")
            .put("required", true)
            .putObject("content")
            .putObject(route.body().mediaType())
            .set("schema", route.body().schema());
        problems.addAll(List.of("413", "415"));
      }
      problems.add("429");
      ObjectNode responses = operation.putObject("responses");
      responses.putObject("2XX").put("description", "Done");
      for (String status : problems) {
        responses
            .putObject(status)
            .put("description", "A problem detail")
            .putObject("content")
            .putObject("application/problem+json")
            .putObject("schema")
            .put("$ref", "#/components/schemas/Problem");
      }
    }
    return root;
  }

  private static void open(ObjectNode paths, String path, String summary) {
    ObjectNode get = paths.putObject(path).putObject("get");
    get.put("summary", summary);
    get.putArray("security");
    get.putObject("responses").putObject("200").put("description", "OK");
  }
}
