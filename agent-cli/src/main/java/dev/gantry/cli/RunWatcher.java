package dev.gantry.cli;

import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.server.client.ApiGantryClient;
import dev.gantry.server.client.RunEvent;
import dev.gantry.server.client.RunEventFeed;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows a run, printing its state changes and log lines as they land, in time order; while the
 * run waits for an agent that would take it, says why at once and every {@link #EXPLAIN_EVERY}
 * (what {@code gantry run explain} says). Over the database it polls; over the server it reads the
 * run's event stream (Server-Sent Events, resumed after a break), printing what arrived every
 * {@link #POLL} so that the lines come out in the same order either way.
 *
 * <p>On a terminal, while it follows states, a status line under those lines shows the tasks'
 * progress ({@link TaskProgress}), redrawn every poll; when the run ends it stays, as the last
 * line. Elsewhere (a pipe, a file, a test) the output is the plain lines only.
 */
final class RunWatcher {
  private static final Duration POLL = Duration.ofMillis(200);
  static final Duration EXPLAIN_EVERY = Duration.ofSeconds(30);
  private static final Duration STALE_AFTER = Duration.ofSeconds(30);
  private static final Duration TASKS_EVERY = Duration.ofMillis(500);

  private final GantryClient gantry;
  private final PrintWriter out;
  private final boolean states;
  private final boolean logs;
  private int statesShown;
  private long lastLogId;
  private Instant explainedAt;
  private final StatusLine status;
  private final Instant watchedFrom = Instant.now();
  private Instant createdAt;
  private Instant startedAt;
  private Instant endedAt;
  private List<TaskRun> tasks = List.of();
  private long tasksReadAt;

  /** Follows the run; with its states, shows the tasks' progress when writing to a terminal. */
  RunWatcher(GantryClient gantry, PrintWriter out, boolean states, boolean logs) {
    this(gantry, out, states, logs, states ? StatusLine.onTerminal(out) : null);
  }

  /**
   * @param status where to draw the tasks' progress, or null for plain lines only
   */
  RunWatcher(
      GantryClient gantry, PrintWriter out, boolean states, boolean logs, StatusLine status) {
    this.gantry = gantry;
    this.out = out;
    this.states = states;
    this.logs = logs;
    this.status = status;
  }

  /** Prints what is new until the run is in a terminal state; returns that state. */
  RunState follow(String runId) throws InterruptedException {
    if (gantry instanceof ApiGantryClient server) {
      return followEvents(server, runId);
    }
    while (true) {
      FlowRun run = gantry.run(runId);
      printNew(runId);
      if (run.state().isTerminal()) {
        printNew(runId); // anything stored between the two reads
        endProgress(runId, run.state());
        return run.state();
      }
      if (states && run.state() == RunState.Scheduled) {
        explainWait(runId);
      }
      drawProgress(runId, run.state());
      Thread.sleep(POLL.toMillis());
    }
  }

  private RunState followEvents(ApiGantryClient server, String runId) throws InterruptedException {
    RunState current = null;
    try (RunEventFeed feed = server.events(runId)) {
      while (true) {
        List<Line> lines = new ArrayList<>();
        RunState end = null;
        for (RunEvent event : feed.poll(POLL)) {
          if (event instanceof RunEvent.State state) {
            current = state.change().state();
            statesShown++;
            track(state.change());
            if (states) {
              lines.add(stateLine(state.change()));
            }
          } else if (event instanceof RunEvent.Log log) {
            lastLogId = log.line().id();
            if (logs) {
              lines.add(new Line(log.line().at(), 1, Render.logLine(log.line())));
            }
          } else if (event instanceof RunEvent.End ended) {
            end = ended.state();
          }
        }
        print(lines);
        if (end != null) {
          endProgress(runId, end);
          return end;
        }
        if (states && current == RunState.Scheduled) {
          explainWait(runId);
        }
        if (current != null) {
          drawProgress(runId, current);
        }
      }
    }
  }

  /** Prints the log lines stored so far and returns. */
  void printLogs(String runId) {
    drainLogs(runId).forEach(r -> out.println(Render.logLine(r)));
    out.flush();
  }

  /** While no live agent would take the run now, says why: at once, then every 30 s. */
  private void explainWait(String runId) {
    Instant now = Instant.now();
    if (explainedAt != null && now.isBefore(explainedAt.plus(EXPLAIN_EVERY))) {
      return;
    }
    RunDiagnosis diagnosis = gantry.explain(runId, STALE_AFTER);
    if (diagnosis.verdict() == RunDiagnosis.Verdict.NO_MATCHING_AGENT
        || diagnosis.verdict() == RunDiagnosis.Verdict.AGENTS_AT_LIMIT
        || diagnosis.verdict() == RunDiagnosis.Verdict.REFUSED_BY_POLICY) {
      explainedAt = now;
      emit(Render.clock(now) + " waiting: " + String.join("\n", diagnosis.lines()));
      out.flush();
    }
  }

  private record Line(Instant at, int order, String text) {}

  /** New state changes and log lines, merged by time (a state first at the same instant). */
  private void printNew(String runId) {
    List<Line> lines = new ArrayList<>();
    if (logs) {
      for (LogRecord record : drainLogs(runId)) {
        lines.add(new Line(record.at(), 1, Render.logLine(record)));
      }
    }
    if (states) {
      List<StateChange> history = gantry.history(runId);
      for (; statesShown < history.size(); statesShown++) {
        track(history.get(statesShown));
        lines.add(stateLine(history.get(statesShown)));
      }
    }
    print(lines);
  }

  private static Line stateLine(StateChange change) {
    return new Line(
        change.at(),
        0,
        Render.clock(change.at())
            + " state "
            + change.state()
            + (change.message() != null ? ": " + change.message() : ""));
  }

  private void print(List<Line> lines) {
    lines.sort(Comparator.comparing(Line::at).thenComparing(Line::order));
    lines.forEach(l -> emit(l.text()));
    out.flush();
  }

  private void emit(String line) {
    if (status != null) {
      status.println(line);
    } else {
      out.println(line);
    }
  }

  /** Notes when the run was created, last started Running and ended, for the elapsed time. */
  private void track(StateChange change) {
    if (createdAt == null) {
      createdAt = change.at();
    }
    if (change.state() == RunState.Running) {
      startedAt = change.at();
    } else if (change.state().isTerminal()) {
      endedAt = change.at();
    }
  }

  private Duration elapsed() {
    Instant since = startedAt != null ? startedAt : createdAt != null ? createdAt : watchedFrom;
    return Duration.between(since, endedAt != null ? endedAt : Instant.now());
  }

  /** Redraws the status line (the tasks are read again at most every {@link #TASKS_EVERY}). */
  private void drawProgress(String runId, RunState state) {
    if (status == null) {
      return;
    }
    long now = System.nanoTime();
    if (tasksReadAt == 0 || now - tasksReadAt >= TASKS_EVERY.toNanos()) {
      tasks = gantry.tasks(runId);
      tasksReadAt = now;
    }
    status.draw(TaskProgress.line(tasks, state, elapsed()));
  }

  /** Replaces the status line by the run's final progress, as a line of its own. */
  private void endProgress(String runId, RunState end) {
    if (status == null) {
      return;
    }
    status.println(TaskProgress.line(gantry.tasks(runId), end, elapsed()));
    out.flush();
  }

  private List<LogRecord> drainLogs(String runId) {
    List<LogRecord> all = new ArrayList<>();
    while (true) {
      List<LogRecord> page = gantry.logs(runId, lastLogId, 500);
      for (LogRecord record : page) {
        all.add(record);
        lastLogId = record.id();
      }
      if (page.size() < 500) {
        return all;
      }
    }
  }
}
