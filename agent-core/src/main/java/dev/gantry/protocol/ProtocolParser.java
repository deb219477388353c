package dev.gantry.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads an output line of the bootstrap as a protocol event. The one parser of the agent side: the
 * reporter, the launchers and the console printer all read lines with it.
 *
 * <p>Parses with Jackson: the agent has it loaded anyway, it accepts exactly the lines the agents
 * accepted before this class existed, and it copes with anything a foreign line may hold. The
 * bootstrap never parses its own output, so it never loads this class (nor Jackson); it writes with
 * the hand-written {@link ProtocolWriter}.
 */
public final class ProtocolParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProtocolParser() {}

  /**
   * The event a line carries; empty for a plain line (anything without the marker), a marked line
   * that is not a JSON object, or an event this version does not know. Missing fields take the
   * defaults the event types name.
   */
  public static Optional<ProtocolEvent> parse(String line) {
    if (!ProtocolEvent.hasMarker(line)) {
      return Optional.empty();
    }
    JsonNode event;
    try {
      event = JSON.readTree(line.substring(ProtocolEvent.MARKER.length()));
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
    if (event == null || !event.isObject()) {
      return Optional.empty();
    }
    Instant at = instant(event);
    return Optional.ofNullable(
        switch (event.path("event").asText()) {
          case "run" -> new RunEvent(at, event.path("state").asText(""));
          case "task" ->
              new TaskEvent(
                  at,
                  event.path("task").asText(""),
                  event.path("state").asText(""),
                  event.path("attempt").asInt(0),
                  text(event, "message"));
          case "log" ->
              new LogEvent(
                  at,
                  event.path("level").asText("INFO"),
                  event.path("logger").asText("flow"),
                  text(event, "task"),
                  event.path("message").asText(""));
          case "result" ->
              new ResultEvent(at, event.path("state").asText(""), text(event, "message"));
          case "bundle" ->
              new BundleEvent(at, event.path("sha256").asText(""), text(event, "build"));
          default -> null;
        });
  }

  private static String text(JsonNode event, String field) {
    JsonNode node = event.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Instant instant(JsonNode event) {
    try {
      return Instant.parse(event.path("at").asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
