package dev.gantry.server.api;

import dev.gantry.server.http.ApiException;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Query parameters, checked: a bad value is a 400 naming the parameter, never a guess. */
final class Queries {
  private static final Duration MAX_DURATION = Duration.ofDays(366);

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

  /** An ISO-8601 duration such as {@code PT30S}, positive and at most a year. */
  static Duration durationParam(Context ctx, String name, Duration fallback) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      Duration value = Duration.parse(raw);
      if (!value.isNegative() && !value.isZero() && value.compareTo(MAX_DURATION) <= 0) {
        return value;
      }
    } catch (DateTimeParseException e) {
      // refused below
    }
    throw ApiException.badRequest(
        "query parameter '"
            + name
            + "' must be a positive ISO-8601 duration of at most a year, e.g. PT30S");
  }
}
