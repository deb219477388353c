package dev.gantry.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.backend.RunStore;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import dev.gantry.launch.OutputSink;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the bootstrap protocol for one run attempt: turns output lines into state
 * transitions, task runs and log records, under the attempt's fence. Log records are batched and
 * written by {@link #flush()}; state events are written at once.
 */
public final class RunReporter implements OutputSink {
  private static final Logger log = LoggerFactory.getLogger(RunReporter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FLUSH_AT = 500;

  private final RunStore runs;
  private final RunFence fence;
  private final Redactor redactor;
  private final Instant logsAfter;
  private final List<LogRecord> pending = new ArrayList<>();
  private volatile boolean running;
  private volatile String resultState;
  private volatile String resultMessage;

  public RunReporter(RunStore runs, RunFence fence, Redactor redactor) {
    this(runs, fence, redactor, null);
  }

  /**
   * @param logsAfter for a re-attached run: log events stamped at or before this instant are
   *     already stored and are dropped, so a launcher may deliver output again without doubling it;
   *     null to keep everything
   */
  public RunReporter(RunStore runs, RunFence fence, Redactor redactor, Instant logsAfter) {
    this.runs = runs;
    this.fence = fence;
    this.redactor = redactor;
    this.logsAfter = logsAfter;
  }

  @Override
  public void line(String raw) {
    // Masked before parsing, and each parsed text again: escaping must not hide a value.
    String line = redactor.redact(raw);
    if (!line.startsWith(ProtocolOutput.MARKER)) {
      addLog(new LogRecord(0, fence.runId(), Instant.now(), "INFO", "stdout", null, line));
      return;
    }
    JsonNode event;
    try {
      event = JSON.readTree(line.substring(ProtocolOutput.MARKER.length()));
    } catch (Exception e) {
      addLog(new LogRecord(0, fence.runId(), Instant.now(), "INFO", "stdout", null, line));
      return;
    }
    switch (event.path("event").asText()) {
      case "run" -> onRunState(event);
      case "task" -> onTaskState(event);
      case "log" -> {
        // Stores keep microseconds: compare at that precision.
        if (logsAfter != null
            && !instant(event).truncatedTo(ChronoUnit.MICROS).isAfter(logsAfter)) {
          return; // stored before this agent re-attached
        }
        addLog(
            new LogRecord(
                0,
                fence.runId(),
                instant(event),
                event.path("level").asText("INFO"),
                event.path("logger").asText("flow"),
                text(event, "task"),
                redactor.redact(event.path("message").asText(""))));
      }
      case "result" -> {
        resultState = event.path("state").asText();
        resultMessage = redactor.redact(text(event, "message"));
      }
      default ->
          addLog(new LogRecord(0, fence.runId(), Instant.now(), "INFO", "stdout", null, line));
    }
  }

  private void onRunState(JsonNode event) {
    if ("Running".equals(event.path("state").asText()) && !running) {
      running = true;
      flush();
      if (!runs.transition(fence, RunState.Running, null)) {
        log.debug("run {}: Running not recorded (cancelled or stale attempt)", fence.runId());
      }
    }
  }

  private void onTaskState(JsonNode event) {
    TaskState state;
    try {
      state = TaskState.valueOf(event.path("state").asText());
    } catch (IllegalArgumentException e) {
      return;
    }
    flush(); // keep logs before the state change they led to
    runs.recordTaskState(
        fence,
        new TaskStateUpdate(
            event.path("task").asText(),
            state,
            event.path("attempt").asInt(0),
            instant(event),
            redactor.redact(text(event, "message"))));
  }

  private void addLog(LogRecord record) {
    boolean full;
    synchronized (pending) {
      pending.add(record);
      full = pending.size() >= FLUSH_AT;
    }
    if (full) {
      flush();
    }
  }

  /** Writes the batched log records. Called on events, by the agent's flusher and at the end. */
  public void flush() {
    List<LogRecord> batch;
    synchronized (pending) {
      if (pending.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(pending);
      pending.clear();
    }
    try {
      runs.appendLogs(fence, batch);
    } catch (RuntimeException e) {
      log.warn(
          "run {}: {} log lines could not be stored: {}",
          fence.runId(),
          batch.size(),
          e.toString());
    }
  }

  /** Adds a line written by the agent itself about this run. */
  public void agentLog(String level, String message) {
    addLog(
        new LogRecord(
            0, fence.runId(), Instant.now(), level, "agent", null, redactor.redact(message)));
  }

  /** The text with this run's secret values masked, for anything else stored or printed. */
  public String redact(String text) {
    return redactor.redact(text);
  }

  /** The final state the bootstrap reported, or null. */
  public String resultState() {
    return resultState;
  }

  public String resultMessage() {
    return resultMessage;
  }

  private static String text(JsonNode event, String field) {
    JsonNode node = event.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Instant instant(JsonNode event) {
    try {
      return Instant.parse(event.path("at").asText());
    } catch (DateTimeParseException e) {
      return Instant.now();
    }
  }
}
