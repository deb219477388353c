package dev.gantry.protocol;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Writes protocol events as lines: {@value ProtocolEvent#MARKER} and one flat JSON object, with the
 * fields in the order docs/bootstrap-protocol.md shows. Uses {@link FlatJson}, never a JSON
 * library, because the bootstrap writes with it and its start time is part of every run's latency.
 * Thread-safe: each line is written and flushed whole, under the stream's lock.
 */
public final class ProtocolWriter {
  private final PrintStream out;

  public ProtocolWriter(PrintStream out) {
    this.out = out;
  }

  /** Writes the event's line and returns it. */
  public String write(ProtocolEvent event) {
    String line = line(event);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
    return line;
  }

  /** The event's line, without a line end. An event without a time is stamped now. */
  public static String line(ProtocolEvent event) {
    StringBuilder out = new StringBuilder(128);
    out.append(ProtocolEvent.MARKER).append('{');
    if (event instanceof RunEvent run) {
      start(out, "run", run.at());
      field(out, "state", run.state());
    } else if (event instanceof TaskEvent task) {
      out.append("\"event\":\"task\"");
      field(out, "task", task.task());
      field(out, "state", task.state());
      out.append(",\"attempt\":").append(task.attempt());
      field(out, "at", timeOf(task).toString());
      field(out, "message", task.message());
    } else if (event instanceof LogEvent log) {
      start(out, "log", log.at());
      field(out, "level", log.level());
      field(out, "logger", log.logger());
      field(out, "task", log.task());
      field(out, "message", log.message());
    } else if (event instanceof ResultEvent result) {
      start(out, "result", result.at());
      field(out, "state", result.state());
      field(out, "message", result.message());
    } else if (event instanceof BundleEvent bundle) {
      start(out, "bundle", bundle.at());
      field(out, "sha256", bundle.sha256());
      field(out, "build", bundle.build());
    } else {
      throw new IllegalArgumentException("not a protocol event: " + event);
    }
    return out.append('}').toString();
  }

  private static void start(StringBuilder out, String name, Instant at) {
    out.append("\"event\":\"").append(name).append('"');
    field(out, "at", (at == null ? Instant.now() : at).toString());
  }

  private static Instant timeOf(ProtocolEvent event) {
    return event.at() == null ? Instant.now() : event.at();
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(",\"").append(name).append("\":");
    if (value == null) {
      out.append("null");
    } else {
      FlatJson.quote(value, out);
    }
  }
}
