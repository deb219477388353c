package dev.gantry.server.api;

import dev.gantry.backend.RunSearch;
import dev.gantry.domain.RunState;
import dev.gantry.server.http.ApiException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The run list's filters and its opaque cursor, parsed strictly: a bad value is a 400. The remote
 * client encodes and decodes the cursor with the same two methods.
 */
public final class RunQueries {
  private RunQueries() {}

  static RunSearch.RunFilter filter(Context ctx) {
    return new RunSearch.RunFilter(
        ctx.queryParam("flow"),
        states(String.join(",", ctx.queryParams("state"))),
        ctx.queryParam("label"),
        ctx.queryParam("agent"),
        instant(ctx, "createdFrom"),
        instant(ctx, "createdBefore"));
  }

  private static Set<RunState> states(String raw) {
    Set<RunState> states = EnumSet.noneOf(RunState.class);
    if (raw == null || raw.isBlank()) {
      return states;
    }
    for (String name : raw.split(",")) {
      String wanted = name.trim();
      RunState match = null;
      for (RunState state : RunState.values()) {
        if (state.name().equalsIgnoreCase(wanted)) {
          match = state;
        }
      }
      if (match == null) {
        throw ApiException.badRequest(
            "unknown run state '"
                + wanted
                + "'; use "
                + java.util.Arrays.toString(RunState.values()).toLowerCase(Locale.ROOT));
      }
      states.add(match);
    }
    return states;
  }

  static Instant instant(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return null;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "query parameter '" + name + "' must be an ISO-8601 instant, e.g. 2026-12-01T10:00:00Z");
    }
  }

  public static String encode(RunSearch.RunCursor cursor) {
    String plain = cursor.createdAt() + " " + cursor.runId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  public static RunSearch.RunCursor cursor(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
      int space = plain.indexOf(' ');
      if (space < 0) {
        throw new IllegalArgumentException("no separator");
      }
      return new RunSearch.RunCursor(
          Instant.parse(plain.substring(0, space)), plain.substring(space + 1));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ApiException.badRequest(
          "query parameter 'after' is not a cursor this server gave; start again without it");
    }
  }
}
