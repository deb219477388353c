package dev.gantry.server.property;

import dev.gantry.server.property.HostileRequest.ApiRouteRef;
import dev.gantry.server.property.HostileRequest.Part;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Requests for any route of the OpenAPI document: path parameters, query parameters, headers and
 * body, each valid or hostile. A change always carries at least one defect; a read may carry none
 * (odd but legal filter values, unknown parameters).
 */
final class HostileRequests {
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
  private static final Set<String> STATES =
      Set.of(
          "scheduled",
          "submitted",
          "running",
          "success",
          "failed",
          "cancelling",
          "cancelled",
          "crashed");

  /** What a query parameter the server reads holds. */
  enum Query {
    CURSOR,
    LIMIT_500,
    LIMIT_5000,
    STATES,
    INSTANT,
    AFTER_ID,
    BEFORE_ID,
    FREE
  }

  /**
   * The query parameters each read parses (RunResources, AdminResources, ScheduleResources); a read
   * listed with none ignores every query parameter.
   */
  static final Map<String, Map<String, Query>> QUERIES =
      Map.of(
          "/api/v1/runs",
          Map.of(
              "after", Query.CURSOR,
              "limit", Query.LIMIT_500,
              "state", Query.STATES,
              "createdFrom", Query.INSTANT,
              "createdBefore", Query.INSTANT,
              "flow", Query.FREE,
              "label", Query.FREE,
              "agent", Query.FREE),
          "/api/v1/runs/{id}/logs",
          Map.of("after", Query.AFTER_ID, "limit", Query.LIMIT_5000),
          "/api/v1/audit",
          Map.of("before", Query.BEFORE_ID, "limit", Query.LIMIT_500),
          "/api/v1/schedules/failures",
          Map.of());

  private static final Set<String> KNOWN_PARAMS =
      Set.of(
          "after",
          "limit",
          "state",
          "createdFrom",
          "createdBefore",
          "flow",
          "label",
          "agent",
          "before");

  /**
   * Changes with a path parameter that read a multipart body (FlowPushes): their body and content
   * type are attacked too, with a valid flow name in the path.
   */
  static final Set<String> MULTIPART_WITH_PATH = Set.of("POST /api/v1/flows/{name}/push");

  /** What exists in the database, so a hostile value is never one of them by chance. */
  record Existing(List<String> runIds, Set<String> names, String cursor) {
    boolean isRun(String idOrPrefix) {
      String wanted = idOrPrefix.strip().toLowerCase(Locale.ROOT);
      return wanted.length() >= 4 && runIds.stream().anyMatch(id -> id.startsWith(wanted))
          || runIds.contains(wanted);
    }
  }

  private final Existing existing;

  HostileRequests(Existing existing) {
    this.existing = existing;
  }

  Arbitrary<HostileRequest> forRoutes(List<ApiRouteRef> routes) {
    return Arbitraries.of(routes).flatMap(this::forRoute);
  }

  private Arbitrary<HostileRequest> forRoute(ApiRouteRef route) {
    String key = route.method() + " " + route.path();
    boolean hasParams = route.path().contains("{");
    boolean readsBody =
        HostileBodies.BODIES.containsKey(key)
            || MULTIPART_WITH_PATH.contains(key)
            || (route.changes() && !hasParams);
    // Which part of a change is bad: its body, its content type or its path.
    Arbitrary<String> faulty;
    if (!route.changes()) {
      faulty = Arbitraries.just("any");
    } else if (!readsBody) {
      faulty = Arbitraries.just("path");
    } else if (hasParams) {
      faulty =
          Arbitraries.frequency(
              net.jqwik.api.Tuple.of(7, "body"),
              net.jqwik.api.Tuple.of(2, "content-type"),
              net.jqwik.api.Tuple.of(2, "path"));
    } else {
      faulty =
          Arbitraries.frequency(
              net.jqwik.api.Tuple.of(8, "body"), net.jqwik.api.Tuple.of(2, "content-type"));
    }
    return faulty.flatMap(
        fault ->
            Combinators.combine(
                    path(route, fault),
                    query(route),
                    headers(route, readsBody, fault),
                    body(route, key, readsBody, fault))
                .as((p, q, h, b) -> HostileRequest.of(route, p, q, h, b)));
  }

  private Arbitrary<Part<String>> path(ApiRouteRef route, String fault) {
    Matcher m = PARAM.matcher(route.path());
    if (!m.find()) {
      return Arbitraries.just(Part.fine(route.path()));
    }
    String param = m.group(1);
    String valid = param.equals("id") ? existing.runIds().get(0) : validName(route.path());
    Arbitrary<Part<String>> bad =
        hostileParam(route, param)
            .map(v -> Part.bad(v, "path {" + param + "} '" + HostileInputs.preview(v) + "'"));
    Arbitrary<Part<String>> chosen =
        switch (fault) {
          case "path" -> bad;
          case "any" ->
              Arbitraries.oneOf(
                  bad,
                  Arbitraries.of(valid, valid.substring(0, Math.min(8, valid.length())))
                      .map(Part::fine));
          default -> Arbitraries.just(Part.fine(valid));
        };
    return chosen.map(
        p ->
            new Part<>(
                route.path().replace("{" + param + "}", HostileInputs.pathSegment(p.value())),
                p.defects()));
  }

  private Arbitrary<String> hostileParam(ApiRouteRef route, String param) {
    // Not "": an empty last segment is the parent route (a trailing slash), not a bad id.
    Arbitrary<String> text = HostileInputs.text().filter(v -> !v.isEmpty());
    if (param.equals("id")) {
      return text.filter(v -> !existing.isRun(v));
    }
    if (route.method().equals("PUT")) {
      return HostileInputs.badName().filter(v -> !v.isEmpty()); // create-or-replace
    }
    return text.filter(v -> !existing.names().contains(v));
  }

  private static String validName(String path) {
    if (path.startsWith("/api/v1/secrets")) {
      return "DB_PASSWORD";
    }
    if (path.startsWith("/api/v1/tokens")) {
      return "ci";
    }
    return "etl";
  }

  private Arbitrary<Part<String>> query(ApiRouteRef route) {
    Map<String, Query> params =
        route.changes() ? Map.of() : QUERIES.getOrDefault(route.path(), Map.of());
    List<Arbitrary<Part<String>>> parts = new ArrayList<>();
    for (Map.Entry<String, Query> param : new java.util.TreeMap<>(params).entrySet()) {
      parts.add(
          Arbitraries.oneOf(
              Arbitraries.just(Part.fine("")),
              valid(param.getValue())
                  .map(v -> Part.fine(param.getKey() + "=" + HostileInputs.queryValue(v))),
              bad(param.getValue())
                  .map(
                      v ->
                          param.getValue() == Query.FREE
                              ? Part.fine(param.getKey() + "=" + HostileInputs.queryValue(v))
                              : Part.bad(
                                  param.getKey() + "=" + HostileInputs.queryValue(v),
                                  "query "
                                      + param.getKey()
                                      + " '"
                                      + HostileInputs.preview(v)
                                      + "'"))));
    }
    Arbitrary<String> noiseName =
        HostileInputs.text()
            .filter(n -> !n.isBlank() && !KNOWN_PARAMS.contains(n) && n.length() < 500);
    parts.add(
        Arbitraries.oneOf(
            Arbitraries.just(Part.fine("")),
            Combinators.combine(noiseName, HostileInputs.text().filter(v -> v.length() < 2000))
                .as(
                    (n, v) ->
                        Part.fine(
                            HostileInputs.queryValue(n) + "=" + HostileInputs.queryValue(v)))));
    return Combinators.combine(parts)
        .as(
            all -> {
              List<String> pairs = new ArrayList<>();
              List<String> defects = new ArrayList<>();
              for (Part<String> p : all) {
                if (!p.value().isEmpty()) {
                  pairs.add(p.value());
                }
                defects.addAll(p.defects());
              }
              return new Part<>(String.join("&", pairs), defects);
            });
  }

  private Arbitrary<String> valid(Query kind) {
    return switch (kind) {
      case CURSOR -> Arbitraries.just(existing.cursor());
      case LIMIT_500 -> Arbitraries.integers().between(1, 500).map(String::valueOf);
      case LIMIT_5000 -> Arbitraries.integers().between(1, 5000).map(String::valueOf);
      case STATES -> Arbitraries.of("scheduled", "Success,Cancelled", "RUNNING", "");
      case INSTANT -> Arbitraries.of("2026-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
      case AFTER_ID -> Arbitraries.longs().between(0, 1_000_000).map(String::valueOf);
      case BEFORE_ID -> Arbitraries.longs().between(1, Long.MAX_VALUE).map(String::valueOf);
      case FREE -> Arbitraries.of("etl", "property-ok");
    };
  }

  private static Arbitrary<String> bad(Query kind) {
    Arbitrary<String> text = HostileInputs.text().filter(v -> v.length() < 3000);
    return switch (kind) {
      case CURSOR ->
          Arbitraries.oneOf(
              text.filter(v -> !v.isEmpty()),
              text.map(
                  v ->
                      Base64.getUrlEncoder()
                          .withoutPadding()
                          .encodeToString(("x" + v).getBytes(StandardCharsets.UTF_8))));
      case LIMIT_500 -> outOfRange(text, 1, 500);
      case LIMIT_5000 -> outOfRange(text, 1, 5000);
      case AFTER_ID -> outOfRange(text, 0, Long.MAX_VALUE);
      case BEFORE_ID -> outOfRange(text, 1, Long.MAX_VALUE);
      case STATES ->
          text.filter(
              v ->
                  !v.isBlank()
                      && !java.util.Arrays.stream(v.split(","))
                          .allMatch(s -> STATES.contains(s.trim().toLowerCase(Locale.ROOT))));
      case INSTANT -> text.filter(v -> !parsesAsInstant(v));
      case FREE -> text;
    };
  }

  private static Arbitrary<String> outOfRange(Arbitrary<String> text, long min, long max) {
    return Arbitraries.oneOf(
        text.filter(v -> !inRange(v, min, max)),
        Arbitraries.of(
            String.valueOf(min - 1),
            String.valueOf(max == Long.MAX_VALUE ? -5 : max + 1),
            "1.5",
            " 5"));
  }

  private static boolean inRange(String v, long min, long max) {
    try {
      long n = Long.parseLong(v);
      return n >= min && n <= max;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean parsesAsInstant(String v) {
    try {
      Instant.parse(v);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private Arbitrary<Part<Map<String, String>>> headers(
      ApiRouteRef route, boolean readsBody, String fault) {
    List<Arbitrary<Part<Map<String, String>>>> parts = new ArrayList<>();
    if (route.streams()) {
      parts.add(
          Arbitraries.frequencyOf(
              net.jqwik.api.Tuple.of(
                  4, Arbitraries.just(Part.fine(Map.of("Accept", "text/event-stream")))),
              net.jqwik.api.Tuple.of(
                  1,
                  Arbitraries.of(
                          Map.<String, String>of(),
                          Map.of("Accept", "application/json"),
                          Map.of("Accept", "text/html"))
                      .map(h -> Part.bad(h, "not asking for an event stream")))));
      boolean runStream = route.path().contains("{id}");
      Arbitrary<String> validId =
          runStream
              ? Arbitraries.of("0:0", "1:0", "3:17")
              : Arbitraries.just(Instant.now().toString());
      parts.add(
          Arbitraries.oneOf(
              Arbitraries.just(Part.fine(Map.<String, String>of())),
              validId.map(id -> Part.fine(Map.of("Last-Event-ID", id))),
              HostileInputs.text()
                  .map(HostileInputs::headerValue)
                  .filter(
                      v ->
                          !v.isBlank()
                              && !(runStream ? v.matches("\\d+:\\d+") : parsesAsInstant(v)))
                  .map(v -> Part.bad(Map.of("Last-Event-ID", v), "Last-Event-ID '" + v + "'"))));
    }
    if (readsBody) {
      Part<Map<String, String>> json = Part.fine(Map.of("Content-Type", "application/json"));
      parts.add(
          fault.equals("content-type")
              ? Arbitraries.of(
                      "text/plain",
                      "application/xml",
                      "application/x-www-form-urlencoded",
                      "multipart/form-data; boundary=x",
                      "")
                  .map(
                      t ->
                          Part.bad(
                              t.isEmpty() ? Map.<String, String>of() : Map.of("Content-Type", t),
                              "content type '" + t + "'"))
              : Arbitraries.just(json));
    }
    return Combinators.combine(
            parts.isEmpty()
                ? List.of(Arbitraries.just(Part.fine(Map.<String, String>of())))
                : parts)
        .as(
            all -> {
              Map<String, String> merged = new LinkedHashMap<>();
              List<String> defects = new ArrayList<>();
              for (Part<Map<String, String>> p : all) {
                merged.putAll(p.value());
                defects.addAll(p.defects());
              }
              return new Part<>(merged, defects);
            });
  }

  private static Arbitrary<Part<byte[]>> body(
      ApiRouteRef route, String key, boolean readsBody, String fault) {
    if (!readsBody) {
      // Junk to a route that reads no body: it must not matter.
      return route.changes()
          ? Arbitraries.of(null, "{", "{\"value\":\"x\"}")
              .map(b -> Part.fine(b == null ? null : b.getBytes(StandardCharsets.UTF_8)))
          : Arbitraries.just(Part.fine(null));
    }
    return fault.equals("body")
        ? HostileBodies.defective(key)
        : Arbitraries.just(Part.fine(HostileBodies.validBody(key)));
  }
}
