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
