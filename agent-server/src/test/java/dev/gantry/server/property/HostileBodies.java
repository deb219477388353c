package dev.gantry.server.property;

import dev.gantry.server.property.HostileRequest.Part;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Request bodies with one defect each: malformed JSON, not an object, an unknown or duplicated
 * field, a field of the wrong type, a required field missing, a value out of its domain, or larger
 * than the server's body limit. Routes whose body is not known here get the defects that need no
 * knowledge of the body (malformed, not an object, an unknown field, oversized).
 */
final class HostileBodies {

  /** What a body field holds, which decides its valid value and its wrong ones. */
  enum Kind {
    FLOW_REF,
    VERSION,
    PARAMETERS,
    LABELS,
    COUNT,
    SECRET_VALUE,
    TOKEN_NAME,
    ROLE,
    EXPIRY
  }

  record Field(String name, Kind kind, boolean required) {}

  /** The bodies of the routes that read one, from their DTOs (RunDtos.NewRuns, Dtos.*). */
  static final Map<String, List<Field>> BODIES =
      Map.of(
          "POST /api/v1/runs",
          List.of(
              new Field("flow", Kind.FLOW_REF, true),
              new Field("version", Kind.VERSION, false),
              new Field("parameters", Kind.PARAMETERS, false),
              new Field("labels", Kind.LABELS, false),
              new Field("count", Kind.COUNT, false)),
          "PUT /api/v1/secrets/{name}",
          List.of(new Field("value", Kind.SECRET_VALUE, true)),
          "POST /api/v1/tokens",
          List.of(
              new Field("name", Kind.TOKEN_NAME, true),
              new Field("role", Kind.ROLE, true),
              new Field("expiresInSeconds", Kind.EXPIRY, false)));

  private HostileBodies() {}

  static String valid(Kind kind) {
    return switch (kind) {
      case FLOW_REF -> quote("etl");
      case VERSION -> "1";
      case PARAMETERS -> "{\"rows\":\"5\"}";
      case LABELS -> "[\"property-ok\"]";
      case COUNT -> "1";
      case SECRET_VALUE -> quote("a-new-value");
      case TOKEN_NAME -> quote("a-new-token");
      case ROLE -> quote("viewer");
      case EXPIRY -> "3600";
    };
  }

  private static boolean textual(Kind kind) {
    return switch (kind) {
      case FLOW_REF, SECRET_VALUE, TOKEN_NAME, ROLE -> true;
      default -> false;
    };
  }

  private static Arbitrary<String> wrongType(Kind kind) {
    if (textual(kind)) {
      return Arbitraries.of("42", "true", "1.5", "[]", "{}", "[\"etl\"]");
    }
    return switch (kind) {
      case PARAMETERS ->
          Arbitraries.of("\"rows=5\"", "[]", "5", "{\"rows\":5}", "{\"rows\":{\"a\":1}}", "[[]]");
      case LABELS -> Arbitraries.of("\"label\"", "{}", "5", "[1]", "[[]]", "[{}]", "true");
      default ->
          Arbitraries.of(
              "\"1\"", "true", "1.5", "[]", "{}", "1e400", "99999999999999999999999", "[1]");
    };
  }

  private static Arbitrary<String> badValue(Kind kind) {
    return switch (kind) {
      case FLOW_REF -> HostileInputs.text().filter(s -> !s.equals("etl")).map(HostileBodies::quote);
      case VERSION -> Arbitraries.of("0", "-1", "999", "2147483647", "-2147483648");
      case PARAMETERS ->
          Arbitraries.of(
              "{\"nope\":\"1\"}",
              "{\"rows\":\"abc\"}",
              "{\"rows\":\"\"}",
              "{\"rows\":\"99999999999\"}",
              "{\"rows\":null}",
              "{\"\":\"1\"}");
      case LABELS ->
          Arbitraries.of(
              "[\"\"]", "[\"" + "x".repeat(300) + "\"]", "[\"a\\u0000b\"]", "[null]", "[\" \"]");
      case COUNT -> Arbitraries.of("0", "-1", "1001", "2147483647", "-2147483648");
      case SECRET_VALUE -> Arbitraries.of(quote(""), quote("x".repeat(70_000)));
      case TOKEN_NAME ->
          Arbitraries.oneOf(
              HostileInputs.badName().filter(s -> s.length() < 5000).map(HostileBodies::quote),
              Arbitraries.of(quote("root")));
      case ROLE ->
          HostileInputs.text()
              .filter(
                  s ->
                      !List.of("viewer", "operator", "deployer", "admin")
                          .contains(s.strip().toLowerCase(Locale.ROOT)))
              .map(HostileBodies::quote);
      case EXPIRY ->
          Arbitraries.of(
              "0",
              "-1",
              String.valueOf(Long.MAX_VALUE),
              String.valueOf(Long.MIN_VALUE),
              "100000000000000000");
    };
  }

  /** A body for a route: valid, or with one defect. */
  static Arbitrary<Part<byte[]>> defective(String route) {
    List<Field> fields = BODIES.getOrDefault(route, List.of());
    List<Arbitrary<Part<String>>> choices = new ArrayList<>();
    String valid = object(fields, null, null);
    choices.add(malformed(valid));
    choices.add(
        Arbitraries.of("null", "[]", "42", "\"etl\"", "true", "[" + valid + "]")
            .map(b -> Part.bad(b, "body is not an object")));
    choices.add(
        HostileInputs.text()
            .filter(n -> fields.stream().noneMatch(f -> f.name().equals(n)) && n.length() < 3000)
            .map(n -> Part.bad(insertField(valid, quote(n) + ":1"), "unknown field")));
    choices.add(
        Arbitraries.of("x", "ä")
            .map(
                c ->
                    Part.bad(
                        insertField(valid, "\"pad\":\"" + c.repeat(1_100_000) + "\""),
                        "oversized")));
    for (Field field : fields) {
      choices.add(
          wrongType(field.kind())
              .map(
                  v ->
                      Part.bad(object(fields, field, v), "field " + field.name() + " wrong type")));
      choices.add(
          badValue(field.kind())
              .map(
                  v -> Part.bad(object(fields, field, v), "field " + field.name() + " bad value")));
      if (field.required()) {
        choices.add(
            Arbitraries.just(
                Part.bad(object(fields, field, ""), "field " + field.name() + " missing")));
      }
      // Into a body that has the field already: the valid body leaves optional fields out.
      choices.add(
          Arbitraries.just(
              Part.bad(
                  insertField(
                      object(fields, field, valid(field.kind())),
                      quote(field.name()) + ":" + valid(field.kind())),
                  "field " + field.name() + " twice")));
    }
    return Arbitraries.oneOf(choices)
        .map(p -> new Part<>(p.value().getBytes(StandardCharsets.UTF_8), p.defects()));
  }

  /** The route's valid body. */
  static byte[] validBody(String route) {
    return object(BODIES.getOrDefault(route, List.of()), null, null)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Arbitrary<Part<String>> malformed(String valid) {
    return Arbitraries.oneOf(
            Arbitraries.of(
                "",
                "{",
                "}",
                "{\"a\":}",
                "nul",
                "{'flow':'etl'}",
                "{flow:\"etl\"}",
                valid + " trailing",
                valid + valid,
                "[".repeat(5000),
                "{\"a\":".repeat(3000),
                "\"\\uZZZZ\"",
                "{\"a\":\"\\ud800\"" // unterminated, with a lone surrogate escape
                ),
            Arbitraries.integers()
                .between(1, Math.max(1, valid.length() - 1))
                .map(n -> valid.substring(0, n)),
            Arbitraries.of("\u00c3\u0028", "\u00ff\u00fe").map(b -> b + valid))
        .map(b -> Part.bad(b, "malformed JSON"));
  }

  /** The fields' valid values, with {@code changed} set to {@code value} ("" drops it). */
  private static String object(List<Field> fields, Field changed, String value) {
    List<String> members = new ArrayList<>();
    for (Field field : fields) {
      String raw = field.equals(changed) ? value : valid(field.kind());
      if (!raw.isEmpty()
          && (field.required() || field.equals(changed) || field.name().equals("flow"))) {
        members.add(quote(field.name()) + ":" + raw);
      }
    }
    return "{" + String.join(",", members) + "}";
  }

  private static String insertField(String object, String member) {
    return object.equals("{}") ? "{" + member + "}" : "{" + member + "," + object.substring(1);
  }

  /** A JSON string literal; everything outside printable ASCII escaped (lone surrogates too). */
  static String quote(String text) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        json.append(c);
      } else {
        json.append(String.format("\\u%04x", (int) c));
      }
    }
    return json.append('"').toString();
  }
}
