package dev.gantry.server.api;

import dev.gantry.server.http.ApiException;
import io.javalin.http.Context;

/** Query parameters, checked: a bad value is a 400 naming the parameter, never a guess. */
final class Queries {
  private Queries() {}

  static long longParam(Context ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw);
      if (value < min || value > max) {
        throw ApiException.badRequest(
            "query parameter '" + name + "' must be between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("query parameter '" + name + "' must be a whole number");
    }
  }
}
