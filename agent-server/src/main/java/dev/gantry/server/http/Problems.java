package dev.gantry.server.http;

import dev.gantry.client.GantryClient;
import dev.gantry.server.json.Json;
import dev.gantry.server.json.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves the server as a problem detail: the server's own refusals ({@link
 * ApiException}), Javalin's (404, 405, 413), the application API's one-line errors (an unknown
 * flow, run or secret is 404, any other refused argument 400), and anything unexpected as a 500
 * that names no internals.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  public static void install(RoutesConfig routes) {
    routes.exception(
        ApiException.class,
        (e, ctx) -> {
          if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
          }
          if (e instanceof BearerAuth.TooManyFailures limited) {
            ctx.header("Retry-After", String.valueOf(limited.retryAfterSeconds()));
          }
          write(ctx, e.status(), e.title(), e.getMessage());
        });
    routes.exception(
        HttpResponseException.class,
        (e, ctx) -> write(ctx, e.getStatus(), title(e.getStatus()), detail(e, ctx)));
    routes.exception(
        GantryClient.UnknownFlowException.class,
        (e, ctx) -> write(ctx, 404, "Not Found", e.getMessage()));
    routes.exception(
        GantryClient.UnknownRunException.class,
        (e, ctx) -> write(ctx, 404, "Not Found", e.getMessage()));
    routes.exception(
        GantryClient.UnknownSecretException.class,
        (e, ctx) -> write(ctx, 404, "Not Found", e.getMessage()));
    routes.exception(
        dev.gantry.registration.RegistrationException.class,
        (e, ctx) -> write(ctx, 400, "Bad Request", e.getMessage()));
    routes.exception(
        IllegalArgumentException.class, (e, ctx) -> write(ctx, 400, "Bad Request", e.getMessage()));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
          write(
              ctx,
              500,
              "Internal Server Error",
              "the server could not complete "
                  + ctx.method()
                  + " "
                  + ctx.path()
                  + "; see the server's log");
        });
  }

  private static String detail(HttpResponseException e, Context ctx) {
    return switch (e.getStatus()) {
      case 404 -> "no route " + ctx.method() + " " + ctx.path() + "; see /api/openapi.json";
      case 405 -> "route " + ctx.path() + " does not accept " + ctx.method();
      case 413 -> "the request body is larger than the server accepts";
      default -> e.getMessage();
    };
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Content Too Large";
      case 429 -> "Too Many Requests";
      default -> "Error";
    };
  }

  /** The status an exception leaves as, for the audit trail. */
  public static int statusOf(Exception e) {
    if (e instanceof ApiException api) {
      return api.status();
    }
    if (e instanceof HttpResponseException http) {
      return http.getStatus();
    }
    if (e instanceof GantryClient.UnknownFlowException
        || e instanceof GantryClient.UnknownRunException
        || e instanceof GantryClient.UnknownSecretException) {
      return 404;
    }
    return e instanceof IllegalArgumentException
            || e instanceof dev.gantry.registration.RegistrationException
        ? 400
        : 500;
  }

  /** Writes a problem detail as the response. */
  public static void write(Context ctx, int status, String title, String detail) {
    try {
      ctx.status(status)
          .contentType(Problem.CONTENT_TYPE)
          .result(Json.mapper().writeValueAsString(Problem.of(status, title, detail)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      ctx.status(status).result(detail);
    }
  }
}
