package dev.gantry.supervision;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import dev.gantry.launch.OutputSink;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.protocol.BundleEvent;
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
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the bootstrap protocol for one run attempt: turns output lines into state
 * transitions, task runs and log records, under the attempt's fence. Everything is queued in the
 * order the run reported it ({@link ReportQueue}) and written by {@link #flush()}: at once while
 * the database answers, else again by the agent's log flusher until it does. A report leaves the
 * queue only once the database acknowledged it; a log batch whose write failed without an answer is
 * checked against the stored log before it is written again, so it is stored once. At most {@link
 * #MAX_BUFFERED_LOG_LINES} log lines wait per run (state reports always do); past that the oldest
 * lines are dropped and one warning line says how many (docs/bootstrap-protocol.md).
 */
public final class RunReporter implements OutputSink {
  private static final Logger log = LoggerFactory.getLogger(RunReporter.class);
  private static final int FLUSH_AT = 500;

  /** Log lines a run may have waiting for the database before the oldest are dropped. */
  public static final int MAX_BUFFERED_LOG_LINES = 20_000;

  private final RunStore runs;
  private final RunFence fence;
  private final Redactor redactor;
  private final Instant logsAfter;
  private final ReportQueue queue;
  private final StoredLogCheck storedCheck;

  /** Held while writing: one writer at a time keeps the queue's order in the database. */
  private final ReentrantLock writing = new ReentrantLock();

  private volatile boolean running;
  private volatile String resultState;
  private volatile String resultMessage;
  private volatile Instant resultAt;

  /** The last write failed: only the flusher (or the end) tries again, not the output reader. */
  private volatile boolean failing;

  /**
   * The log lines of the last failed write (none if it was no log write): they may have been stored
   * without an answer. Some may have been dropped past the limit since; the others still lead the
   * queue.
   */
  private List<LogRecord> unanswered = List.of();

  /** The dropped lines the warning of the log write in progress (or unanswered) counts. */
  private long droppedInFlight;

  private volatile AgentMetrics metrics = AgentMetrics.none();
  private volatile Instant due;
  private volatile Instant runningAt;

  /** The bundle the bootstrap reported, until it is stored. */
  private volatile BundleEvent bundle;

  public RunReporter(RunStore runs, RunFence fence, Redactor redactor) {
    this(runs, fence, redactor, null);
  }

  /**
   * @param logsAfter for a re-attached run: what the backend holds of its output; lines {@link
   *     OutputReplay#isStored} says it stored are dropped, so a launcher may deliver output again
   *     without doubling it; null to keep everything
   */
  public RunReporter(RunStore runs, RunFence fence, Redactor redactor, Instant logsAfter) {
    this(runs, fence, redactor, logsAfter, MAX_BUFFERED_LOG_LINES);
  }

  RunReporter(
      RunStore runs, RunFence fence, Redactor redactor, Instant logsAfter, int maxBufferedLines) {
    this.runs = runs;
    this.fence = fence;
    this.redactor = redactor;
    this.logsAfter = logsAfter;
    this.queue = new ReportQueue(maxBufferedLines);
    this.storedCheck = new StoredLogCheck(runs, fence.runId());
  }

  /**
   * Where this run's start (its wait since {@code due}) and its stored and dropped log lines are
   * counted.
   */
  public void countWith(AgentMetrics metrics, Instant due) {
    this.metrics = metrics;
    this.due = due;
  }

  /** How many reports wait for the database now. */
  public int buffered() {
    return queue.size();
  }

  /** When the run's Running was recorded by this reporter, or null. */
  public Instant runningAt() {
    return runningAt;
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
    } else if (event instanceof BundleEvent bundle) {
      onBundle(bundle);
    } else if (event instanceof ResultEvent result) {
      resultState = result.state();
      resultMessage = redactor.redact(result.message());
      resultAt = timeOf(result);
    }
  }

  private void onRunState(RunEvent event) {
    if (event.running() && !running) {
      running = true;
      queue.add(new ReportQueue.Started(timeOf(event)));
      writeSoon();
    }
  }

  /** The bundle the attempt runs; stored before the reports that follow it. */
  private void onBundle(BundleEvent event) {
    if (event.sha256().isEmpty()) {
      return;
    }
    bundle = event;
    writeSoon();
  }

  private void onTaskState(TaskEvent event) {
    TaskState state = event.knownState();
    if (state == null) {
      return;
    }
    queue.add(
        new ReportQueue.Task(
            new TaskStateUpdate(
                event.task(),
                state,
                event.attempt(),
                timeOf(event),
                redactor.redact(event.message()))));
    writeSoon();
  }

  private void addLog(LogRecord record) {
    queue.add(new ReportQueue.Log(record));
    if (queue.size() >= FLUSH_AT) {
      writeSoon();
    }
  }

  /**
   * Writes now from the caller's thread (the output reader) unless the database is failing or
   * another thread is writing: the reader must not wait for a database that does not answer.
   */
  private void writeSoon() {
    if (!failing && writing.tryLock()) {
      try {
        writeQueued();
      } finally {
        writing.unlock();
      }
    }
  }

  /**
   * Writes what is queued, in order, until the queue is empty or the database fails. Called on
   * events, by the agent's log flusher and at the end.
   *
   * @return true when nothing is left to write
   */
  public boolean flush() {
    writing.lock();
    try {
      return writeQueued();
    } finally {
      writing.unlock();
    }
  }

  /**
   * Writes everything queued, before the run's end is recorded.
   *
   * @throws IllegalStateException naming the run and the cause when the database did not take it
   *     all (the caller tries again later)
   */
  public void drain() {
    if (!flush()) {
      throw new IllegalStateException(
          "run "
              + fence.runId()
              + ": "
              + queue.size()
              + " reports (task states, log lines) are not stored yet: "
              + lastError);
    }
  }

  private volatile String lastError = "the database did not answer";

  private boolean writeQueued() {
    if (!writeBundle()) {
      return false;
    }
    while (true) {
      List<ReportQueue.Report> batch = queue.next(FLUSH_AT);
      if (batch.isEmpty()) {
        return true;
      }
      try {
        int written = write(batch);
        if (written < 0) {
          int lost = queue.clear();
          log.warn(
              "run {} (attempt {}) is no longer this agent's; {} reports not stored",
              fence.runId(),
              fence.attempt(),
              lost);
          return true;
        }
        queue.ack(written);
        unanswered = List.of();
        if (failing) {
          failing = false;
          log.info("run {}: the database takes its reports again", fence.runId());
        }
      } catch (RuntimeException e) {
        queue.retry();
        unanswered = logLines(batch);
        lastError = Failures.oneLine(e);
        if (!failing) {
          failing = true;
          log.warn(
              "run {}: the database did not take its reports ({}); keeping {} of them, trying"
                  + " again",
              fence.runId(),
              lastError,
              queue.size());
        }
        return false;
      }
    }
  }

  /** Stores the reported bundle, if one waits; false when the database did not take it. */
  private boolean writeBundle() {
    BundleEvent waiting = bundle;
    if (waiting == null) {
      return true;
    }
    try {
      runs.recordRunBundle(fence, waiting.sha256(), waiting.build());
      bundle = null;
      failing = false;
      return true;
    } catch (RuntimeException e) {
      lastError = Failures.oneLine(e);
      if (!failing) {
        failing = true;
        log.warn(
            "run {}: the database did not take its bundle ({}); trying again",
            fence.runId(),
            lastError);
      }
      return false;
    }
  }

  /**
   * Writes one batch.
   *
   * @return how many of its reports (from the first) are stored now, or -1 when the fence is stale
   *     (nothing of this attempt can be stored)
   */
  private int write(List<ReportQueue.Report> batch) {
    ReportQueue.Report first = batch.get(0);
    if (first instanceof ReportQueue.Task task) {
      // Recording the same state twice leaves the same row: a retry of an unanswered write is safe.
      return runs.recordTaskState(fence, task.update()) ? 1 : -1;
    }
    if (first instanceof ReportQueue.Started started) {
      if (!runs.transition(fence, RunState.Running, null, started.at())) {
        log.debug("run {}: Running not recorded (cancelled or stale attempt)", fence.runId());
      } else {
        runningAt = started.at();
        metrics.started(due, started.at());
      }
      return 1;
    }
    List<LogRecord> lines = logLines(batch);
    if (!unanswered.isEmpty()) {
      List<LogRecord> sent = unanswered;
      unanswered = List.of();
      if (storedCheck.alreadyStored(sent)) {
        int leading = 0;
        while (leading < lines.size() && containsSame(sent, lines.get(leading))) {
          leading++;
        }
        // Its warning about dropped lines, if it had one, was stored with it; lines of it dropped
        // since were stored, not lost.
        queue.droppedReported(droppedInFlight + (sent.size() - leading));
        droppedInFlight = 0;
        log.info(
            "run {}: {} log lines were stored by a write that got no answer; not written again",
            fence.runId(),
            sent.size());
        return leading;
      }
    }
    long dropped = queue.dropped();
    List<LogRecord> records = lines;
    if (dropped > 0) {
      records = new ArrayList<>(lines.size() + 1);
      records.add(droppedWarning(dropped));
      records.addAll(lines);
    }
    droppedInFlight = dropped;
    if (!runs.appendLogs(fence, records)) {
      return -1;
    }
    queue.droppedReported(dropped);
    droppedInFlight = 0;
    metrics.logLinesStored(lines.size());
    metrics.logLinesDropped(dropped);
    return lines.size();
  }

  private static List<LogRecord> logLines(List<ReportQueue.Report> batch) {
    List<LogRecord> lines = new ArrayList<>(batch.size());
    for (ReportQueue.Report r : batch) {
      if (r instanceof ReportQueue.Log l) {
        lines.add(l.record());
      }
    }
    return lines;
  }

  private static boolean containsSame(List<LogRecord> records, LogRecord record) {
    for (LogRecord r : records) {
      if (r == record) {
        return true;
      }
    }
    return false;
  }

  private LogRecord droppedWarning(long dropped) {
    return new LogRecord(
        0,
        fence.runId(),
        Instant.now(),
        "WARN",
        "agent",
        null,
        dropped
            + " log lines of run "
            + fence.runId()
            + " were dropped: the database did not answer and the agent keeps at most "
            + queue.maxLogLines()
            + " waiting lines per run (the oldest go first)");
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

  /** When the bootstrap reported its result, or null when it did not. */
  public Instant resultAt() {
    return resultAt;
  }

  /** Reports (task states, log lines) not stored yet. */
  public int pendingReports() {
    return queue.size();
  }

  private static Instant timeOf(ProtocolEvent event) {
    return event.at() != null ? event.at() : Instant.now();
  }
}
