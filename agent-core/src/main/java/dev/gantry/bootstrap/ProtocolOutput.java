package dev.gantry.bootstrap;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
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

  private static final int MAX_TERMINATION_BYTES = 4000;

  private final PrintStream out;
  private volatile Path terminationLog;

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
    String line = event("result", fields);
    Path file = terminationLog;
    if (file != null) {
      writeTerminationMessage(file, line);
    }
  }

  /**
   * Also writes the result line to this file (Kubernetes' termination message), so the final
   * summary survives even when the pod's logs cannot be read.
   */
  public void terminationLog(Path file) {
    this.terminationLog = file;
  }

  private static void writeTerminationMessage(Path file, String line) {
    // Kubernetes keeps at most 4096 bytes of a termination message.
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(file, Arrays.copyOf(bytes, Math.min(bytes.length, MAX_TERMINATION_BYTES)));
    } catch (IOException e) {
      System.err.println("cannot write the termination message to " + file + ": " + e);
    }
  }

  private String event(String name, Map<String, ?> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", name);
    if (!fields.containsKey("at")) {
      all.put("at", Instant.now().toString());
    }
    all.putAll(fields);
    String line = MARKER + FlatJson.encode(all);
    writeLine(line);
    return line;
  }

  private void writeLine(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
