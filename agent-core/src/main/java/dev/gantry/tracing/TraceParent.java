package dev.gantry.tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A W3C trace context ({@code traceparent}: {@code 00-<trace id>-<span id>-01}). A run attempt's is
 * derived from the run, never stored: the trace id is the run id's 128 bits, so every attempt of a
 * run and every agent that adopts it name the same trace; the span id is derived from the attempt.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero
 */
public record TraceParent(String traceId, String spanId) {
  /** The variable the agent hands the bootstrap its run attempt's traceparent in. */
  public static final String VARIABLE = "GANTRY_TRACEPARENT";

  /** The HTTP header (W3C Trace Context). */
  public static final String HEADER = "traceparent";

  private static final Pattern HEADER_FORMAT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
  private static final HexFormat HEX = HexFormat.of();

  public TraceParent {
    if (!TRACE_ID.matcher(traceId).matches() || isZero(traceId)) {
      throw new IllegalArgumentException(
          "trace id '" + traceId + "' is not 32 lowercase hex digits, not all zero");
    }
    if (!SPAN_ID.matcher(spanId).matches() || isZero(spanId)) {
      throw new IllegalArgumentException(
          "span id '" + spanId + "' is not 16 lowercase hex digits, not all zero");
    }
  }

  /** The traceparent of one attempt of a run: the same for every agent that computes it. */
  public static TraceParent forAttempt(String runId, int attempt) {
    String compact = runId.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    String traceId =
        TRACE_ID.matcher(compact).matches() && !isZero(compact)
            ? compact
            : HEX.formatHex(sha256(runId), 0, 16);
    String spanId = HEX.formatHex(sha256(runId + "/" + attempt), 0, 8);
    if (isZero(spanId)) {
      spanId = "0000000000000001";
    }
    return new TraceParent(traceId, spanId);
  }

  /** A new trace with a random id, for work that does not belong to a run (an HTTP request). */
  public static TraceParent random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String traceId;
    String spanId;
    do {
      traceId = HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
    } while (isZero(traceId));
    do {
      spanId = HEX.toHexDigits(random.nextLong());
    } while (isZero(spanId));
    return new TraceParent(traceId, spanId);
  }

  /**
   * A new span in the same trace: the child of this one (the server's request inside a caller's
   * trace).
   */
  public TraceParent child() {
    return new TraceParent(traceId, random().spanId());
  }

  /**
   * The traceparent in a header or variable, or empty when it is missing or not valid (W3C: an
   * invalid traceparent is ignored, never an error). Later versions are read as version 00.
   */
  public static Optional<TraceParent> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = HEADER_FORMAT.matcher(value.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    String version = m.group(1);
    if (version.equals("ff") || (version.equals("00") && m.group(5) != null)) {
      return Optional.empty();
    }
    if (isZero(m.group(2)) || isZero(m.group(3))) {
      return Optional.empty();
    }
    return Optional.of(new TraceParent(m.group(2), m.group(3)));
  }

  /** The header value, sampled: {@code 00-<trace id>-<span id>-01}. */
  public String header() {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  @Override
  public String toString() {
    return header();
  }

  private static boolean isZero(String hex) {
    for (int i = 0; i < hex.length(); i++) {
      if (hex.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
