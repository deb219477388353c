package dev.gantry.bootstrap;

import dev.gantry.protocol.BundleEvent;
import dev.gantry.protocol.FlatJson;
import dev.gantry.protocol.LogEvent;
import dev.gantry.protocol.ProtocolEvent;
import dev.gantry.protocol.ProtocolWriter;
import dev.gantry.protocol.ResultEvent;
import dev.gantry.protocol.RunEvent;
import dev.gantry.protocol.TaskEvent;
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
 * The bootstrap's side of the protocol (docs/bootstrap-protocol.md): its events written to stdout
 * through {@link ProtocolWriter}, and the result also to the termination message when asked. The
 * flow's own prints are turned into {@code log} lines too (see {@link LineForwardingStream}).
 */
public final class ProtocolOutput {
  public static final String MARKER = ProtocolEvent.MARKER;

  private static volatile ProtocolOutput current;

  private static final int MAX_TERMINATION_BYTES = 4000;

  private final PrintStream out;
  private volatile Path terminationLog;
  private volatile Map<String, String> runFields = Map.of();

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
    write(new RunEvent(Instant.now(), state));
  }

  public void taskState(String task, String state, int attempt, Instant at, String message) {
    write(new TaskEvent(at, task, state, attempt, message));
  }

  public void log(Instant at, String level, String logger, String task, String message) {
    write(new LogEvent(at, level, logger, task, message));
  }

  /** The bundle the attempt runs: its SHA-256 and, when the storage resolved one, the build. */
  public void bundle(String sha256, String build) {
    write(new BundleEvent(Instant.now(), sha256, build));
  }

  public void result(String state, String message) {
    String line = write(new ResultEvent(Instant.now(), state, message));
    Path file = terminationLog;
    if (file != null) {
      writeTerminationMessage(file, line);
    }
  }

  /**
   * Adds these fields (run_id, flow, trace_id, ...) to every line from now on, after the protocol's
   * own, so a log pipeline reading the run's output joins it with the agent's lines. Agents read
   * only the fields the protocol names and ignore these.
   */
  public void runFields(Map<String, String> fields) {
    Map<String, String> present = new LinkedHashMap<>(fields);
    present.values().removeIf(java.util.Objects::isNull);
    runFields = Map.copyOf(present);
  }

  /**
   * Writes the event's line whole and flushed, with the run's fields, and returns it. A run field
   * whose name the event already has (a task event's own {@code attempt}) is left out: the
   * protocol's field must stay the only one of its name.
   */
  private String write(ProtocolEvent event) {
    String own = ProtocolWriter.line(event);
    Map<String, String> extra = new LinkedHashMap<>();
    runFields.forEach(
        (name, value) -> {
          if (!own.contains("\"" + name + "\":")) {
            extra.put(name, value);
          }
        });
    String line =
        extra.isEmpty()
            ? own
            : own.substring(0, own.length() - 1) + "," + FlatJson.encode(extra).substring(1);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
    return line;
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
}
