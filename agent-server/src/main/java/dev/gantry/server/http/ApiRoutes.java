package dev.gantry.server.http;

import dev.gantry.server.audit.AuditTrail;
import dev.gantry.server.auth.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Installs the API's routes behind {@link BearerAuth}, each change wrapped so it lands in the audit
 * trail with its outcome, whether it succeeded or was refused.
 */
public final class ApiRoutes {
  public static final String API = "/api/v1";

  private ApiRoutes() {}

  public static void install(
      RoutesConfig routes, BearerAuth auth, AuditTrail audit, List<ApiRoute> apiRoutes) {
    Map<String, String> actions = new HashMap<>();
    for (ApiRoute route : apiRoutes) {
      if (route.action() != null) {
        actions.put(route.method().name() + " " + route.path(), route.action());
      }
    }
    routes.beforeMatched(
        "/api/*",
        ctx -> {
          try {
            auth.check(ctx);
            refuseNul(ctx);
          } catch (ApiException e) {
            // A change refused for its role is audited; without a known token there is no one to
            // name.
            String action = actions.get(ctx.method().name() + " " + BearerAuth.routePath(ctx));
            if (e.status() == 403 && action != null) {
              audit.record(
                  BearerAuth.principal(ctx),
                  action,
                  ctx.path(),
                  String.valueOf(e.status()),
                  ctx.ip());
            }
            throw e;
          }
        });
    for (ApiRoute route : apiRoutes) {
      Handler handler = route.action() == null ? route.handler() : audited(route, audit);
      switch (route.method()) {
        case GET -> routes.get(route.path(), handler, route.role());
        case POST -> routes.post(route.path(), handler, route.role());
        case PUT -> routes.put(route.path(), handler, route.role());
        case DELETE -> routes.delete(route.path(), handler, route.role());
      }
    }
  }

  /**
   * Refuses a NUL character (U+0000) in a path or query value, for every route at once: no value
   * takes one, and PostgreSQL cannot compare text with one. (Jetty refuses a raw {@code %00} in the
   * path itself; see {@link ProblemErrorHandler}.)
   */
  private static void refuseNul(io.javalin.http.Context ctx) {
    for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
      if (param.getKey().indexOf('\0') >= 0
          || param.getValue().stream().anyMatch(v -> v.indexOf('\0') >= 0)) {
        throw ApiException.badRequest(
            "query parameter '"
                + param.getKey().replace('\0', '?')
                + "' contains a NUL character (%00); remove it");
      }
    }
    ctx.pathParamMap()
        .forEach(
            (name, value) -> {
              if (value.indexOf('\0') >= 0) {
                throw ApiException.badRequest(
                    "path parameter '" + name + "' contains a NUL character (%00); remove it");
              }
            });
  }

  private static Handler audited(ApiRoute route, AuditTrail audit) {
    return ctx -> {
      Principal who = BearerAuth.principal(ctx);
      try {
        route.handler().handle(ctx);
      } catch (Exception e) {
        audit.record(
            who, route.action(), ctx.path(), String.valueOf(Problems.statusOf(e)), ctx.ip());
        throw e;
      }
      audit.record(who, route.action(), ctx.path(), String.valueOf(ctx.statusCode()), ctx.ip());
    };
  }
}
