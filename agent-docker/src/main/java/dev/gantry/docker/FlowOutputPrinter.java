package dev.gantry.docker;

import dev.gantry.launch.OutputSink;
import dev.gantry.protocol.LogEvent;
import dev.gantry.protocol.ProtocolEvent;
import dev.gantry.protocol.ProtocolParser;
import dev.gantry.protocol.ResultEvent;
import dev.gantry.protocol.TaskEvent;
import dev.gantry.supervision.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --show-flow-logs}: also prints a run's output on the agent's console, protocol lines made
 * readable, with the run's secret values masked.
 */
final class FlowOutputPrinter implements OutputSink {
  private static final Logger flowLog = LoggerFactory.getLogger("dev.gantry.flow-output");

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
    ProtocolEvent event = ProtocolParser.parse(line).orElse(null);
    if (event == null) {
      return line;
    }
    if (event instanceof LogEvent logged) {
      return logged.level()
          + (logged.task() != null ? " [" + logged.task() + "] " : " ")
          + logged.message();
    }
    if (event instanceof TaskEvent task) {
      return "task "
          + task.task()
          + " "
          + task.state()
          + (task.message() != null ? ": " + task.message() : "");
    }
    if (event instanceof ResultEvent result) {
      return "result " + result.state() + (result.message() != null ? ": " + result.message() : "");
    }
    return null;
  }
}
