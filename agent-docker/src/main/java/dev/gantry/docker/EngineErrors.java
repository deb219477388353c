package dev.gantry.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The engine's own words from docker-java's exceptions, without status prefixes and JSON. */
final class EngineErrors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STATUS_PREFIX = Pattern.compile("^Status \\d+: ", Pattern.DOTALL);

  private EngineErrors() {}

  static String message(Throwable error) {
    if (error == null) {
      return "unknown error";
    }
    String text = error.getMessage();
    if (text == null || text.isBlank()) {
      Throwable cause = error.getCause();
      return cause != null && cause != error ? message(cause) : error.getClass().getSimpleName();
    }
    text = text.trim();
    if (error instanceof DockerException) {
      Matcher m = STATUS_PREFIX.matcher(text);
      if (m.find()) {
        text = text.substring(m.end()).trim();
      }
      if (text.startsWith("{")) {
        try {
          String message = JSON.readTree(text).path("message").asText("");
          if (!message.isBlank()) {
            text = message.trim();
          }
        } catch (java.io.IOException | RuntimeException notJson) {
          // keep the text as it is
        }
      }
    }
    return text.replace('\n', ' ');
  }
}
