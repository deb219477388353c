package dev.gantry.server.property;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Hostile text and its safe encodings: what the property throws at paths, queries and bodies. */
final class HostileInputs {
  /** The names users give flows, secrets and tokens (flow-sdk's Names, ApiTokens). */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final List<String> FIXED =
      List.of(
          "' OR '1'='1",
          "1; DROP TABLE flow_runs; --",
          "\" OR 1=1 --",
          "%' --",
          "x') UNION SELECT token_hash, role FROM api_tokens --",
          "0000dead' AND pg_sleep(5) IS NULL --",
          "%",
          "_",
          "!",
          "*",
          "../../etc/passwd",
          "..\\..\\windows\\win.ini",
          "../tokens/root",
          "..",
          ".",
          "/",
          "....//....//",
          "\u0000",
          "a\u0000b",
          "\uFEFFetl",
          "\u202Eetl",
          "e\u0301tl",
          "ｅｔｌ",
          "\u200B",
          "İ",
          "\uD83D\uDE00",
          "\r\nX-Injected: 1",
          "${jndi:ldap://127.0.0.1/x}",
          "<script>alert(1)</script>",
          "{{7*7}}",
          "-1",
          "0",
          "99999999999999999999999",
          "NaN",
          "1e308",
          "0x10",
          "null",
          "true",
          "[]",
          "{}",
          " ",
          "");

  private HostileInputs() {}

  /** Text an attacker would try: SQL, traversal, control and odd unicode, numbers, huge. */
  static Arbitrary<String> text() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Arbitraries.of(FIXED)),
        net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(24)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(4)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.of("x", "ä", "\uD835\uDD4F", "'")
                .flatMap(s -> Arbitraries.integers().between(300, 12_000).map(s::repeat))));
  }

  /** Hostile text that is not a valid name (so a route that creates by name must refuse it). */
  static Arbitrary<String> badName() {
    return text().filter(s -> !NAME.matcher(s).matches());
  }

  /** Percent-encodes every byte but letters, digits, '-' and '_' (dots too: no dot segments). */
  static String pathSegment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace(".", "%2E")
        .replace("*", "%2A");
  }

  static String queryValue(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** What an HTTP header can carry of hostile text: printable ASCII, the rest as '?'. */
  static String headerValue(String value) {
    StringBuilder safe = new StringBuilder();
    value.chars().limit(2000).forEach(c -> safe.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
    return safe.toString().strip();
  }

  static String preview(String text) {
    String shown =
        text.length() > 120 ? text.substring(0, 120) + "...(" + text.length() + ")" : text;
    StringBuilder escaped = new StringBuilder();
    shown
        .chars()
        .forEach(
            c ->
                escaped.append(
                    c >= 0x20 && c < 0x7f
                        ? String.valueOf((char) c)
                        : String.format("\\u%04x", c)));
    return escaped.toString();
  }
}
