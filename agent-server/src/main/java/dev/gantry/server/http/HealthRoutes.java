package dev.gantry.server.http;

import dev.gantry.backend.Backend;
import io.javalin.config.RoutesConfig;
import java.util.Map;

/**
 * {@code /health/live} (the process serves) and {@code /health/ready} (and its database answers),
 * without a token, as load balancers and Kubernetes probes call them.
 */
public final class HealthRoutes {
  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";

  private HealthRoutes() {}

  public static void install(RoutesConfig routes, Backend backend) {
    routes.get(LIVE, ctx -> ctx.json(Map.of("status", "live")));
    routes.get(
        READY,
        ctx -> {
          if (backend.isReachable()) {
            ctx.json(Map.of("status", "ready"));
          } else {
            Problems.write(
                ctx,
                503,
                "Service Unavailable",
                "the server cannot reach its database; check --db / GANTRY_DB_URL");
          }
        });
  }
}
