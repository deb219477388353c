package dev.gantry.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.agent.Redactor;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.launch.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --show-flow-logs}: also prints a run's output on the agent's console, protocol lines made
 * readable, with the run's secret values masked.
 */
final class FlowOutputPrinter implements OutputSink {
  private static final Logger flowLog = LoggerFactory.getLogger("dev.gantry.flow-output");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String runPrefix;
  private final Redactor redactor;
  private final OutputSink next;

  FlowOutputPrinter(String runId, Redactor redactor, OutputSink next) {
    this.runPrefix = "run " + (runId.length() > 8 ? runId.substring(0, 8) : runId);
    this.redactor = redactor;
    this.next = next;
  }

  @Override
  public void line(String line) {
    next.line(line);
    String readable = readable(line);
    if (readable != null) {
      flowLog.info("{} | {}", runPrefix, redactor.redact(readable));
    }
  }

  /** The line as a person reads it, or null for protocol events not worth a console line. */
  static String readable(String line) {
    if (!line.startsWith(ProtocolOutput.MARKER)) {
      return line;
    }
    JsonNode event;
    try {
      event = JSON.readTree(line.substring(ProtocolOutput.MARKER.length()));
    } catch (java.io.IOException e) {
      return line;
    }
    String task = event.path("task").isTextual() ? event.path("task").asText() : null;
    String message = event.path("message").isTextual() ? event.path("message").asText() : null;
    return switch (event.path("event").asText()) {
      case "log" ->
          event.path("level").asText("INFO")
              + (task != null ? " [" + task + "] " : " ")
              + (message != null ? message : "");
      case "task" ->
          "task "
              + task
              + " "
              + event.path("state").asText()
              + (message != null ? ": " + message : "");
      case "result" ->
          "result " + event.path("state").asText() + (message != null ? ": " + message : "");
      default -> null;
    };
  }
}
