package dev.gantry.bootstrap;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bootstrap's side of the protocol (docs/bootstrap-protocol.md): structured lines on stdout,
 * each {@value #MARKER} followed by a flat JSON object. The flow's own prints are turned into
 * {@code log} lines too (see {@link LineForwardingStream}); all writes go through one lock.
 */
public final class ProtocolOutput {
  public static final String MARKER = "::gantry:: ";

  private static volatile ProtocolOutput current;

  private final PrintStream out;

  public ProtocolOutput(PrintStream out) {
    this.out = out;
  }

  /** The output of this bootstrap process, once {@link Bootstrap} has installed it. */
  public static ProtocolOutput current() {
    return current;
  }

  static void install(ProtocolOutput output) {
    current = output;
  }

  public void runState(String state) {
    event("run", Map.of("state", state));
  }

  public void taskState(String task, String state, int attempt, Instant at, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("task", task);
    fields.put("state", state);
    fields.put("attempt", attempt);
    fields.put("at", at.toString());
    fields.put("message", message);
    event("task", fields);
  }

  public void log(Instant at, String level, String logger, String task, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("at", at.toString());
    fields.put("level", level);
    fields.put("logger", logger);
    fields.put("task", task);
    fields.put("message", message);
    event("log", fields);
  }

  public void result(String state, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("state", state);
    fields.put("message", message);
    event("result", fields);
  }

  private void event(String name, Map<String, ?> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", name);
    if (!fields.containsKey("at")) {
      all.put("at", Instant.now().toString());
    }
    all.putAll(fields);
    writeLine(MARKER + FlatJson.encode(all));
  }

  private void writeLine(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
