package dev.gantry.supervision;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import dev.gantry.launch.OutputSink;
import dev.gantry.protocol.LogEvent;
import dev.gantry.protocol.OutputReplay;
import dev.gantry.protocol.ProtocolEvent;
import dev.gantry.protocol.ProtocolParser;
import dev.gantry.protocol.ResultEvent;
import dev.gantry.protocol.RunEvent;
import dev.gantry.protocol.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the bootstrap protocol for one run attempt: turns output lines into state
 * transitions, task runs and log records, under the attempt's fence. Log records are batched and
 * written by {@link #flush()}; state events are written at once.
 */
public final class RunReporter implements OutputSink {
  private static final Logger log = LoggerFactory.getLogger(RunReporter.class);
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
   * @param logsAfter for a re-attached run: what the backend holds of its output; lines {@link
   *     OutputReplay#isStored} says it stored are dropped, so a launcher may deliver output again
   *     without doubling it; null to keep everything
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
    Optional<ProtocolEvent> parsed = ProtocolParser.parse(line);
    if (OutputReplay.isStored(logsAfter, null, parsed)) {
      return; // stored before this agent re-attached
    }
    if (parsed.isEmpty()) {
      addLog(new LogRecord(0, fence.runId(), Instant.now(), "INFO", "stdout", null, line));
      return;
    }
    ProtocolEvent event = parsed.get();
    if (event instanceof RunEvent run) {
      onRunState(run);
    } else if (event instanceof TaskEvent task) {
      onTaskState(task);
    } else if (event instanceof LogEvent logged) {
      addLog(
          new LogRecord(
              0,
              fence.runId(),
              timeOf(logged),
              logged.level(),
              logged.logger(),
              logged.task(),
              redactor.redact(logged.message())));
    } else if (event instanceof ResultEvent result) {
      resultState = result.state();
      resultMessage = redactor.redact(result.message());
    }
  }

  private void onRunState(RunEvent event) {
    if (event.running() && !running) {
      running = true;
      flush();
      if (!runs.transition(fence, RunState.Running, null)) {
        log.debug("run {}: Running not recorded (cancelled or stale attempt)", fence.runId());
      }
    }
  }

  private void onTaskState(TaskEvent event) {
    TaskState state = event.knownState();
    if (state == null) {
      return;
    }
    flush(); // keep logs before the state change they led to
    runs.recordTaskState(
        fence,
        new TaskStateUpdate(
            event.task(), state, event.attempt(), timeOf(event), redactor.redact(event.message())));
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

  private static Instant timeOf(ProtocolEvent event) {
    return event.at() != null ? event.at() : Instant.now();
  }
}
