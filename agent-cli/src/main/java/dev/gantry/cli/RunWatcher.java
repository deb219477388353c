package dev.gantry.cli;

import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
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
 */
final class RunWatcher {
  private static final Duration POLL = Duration.ofMillis(200);
  static final Duration EXPLAIN_EVERY = Duration.ofSeconds(30);
  private static final Duration STALE_AFTER = Duration.ofSeconds(30);

  private final GantryClient gantry;
  private final PrintWriter out;
  private final boolean states;
  private final boolean logs;
  private int statesShown;
  private long lastLogId;
  private Instant explainedAt;

  RunWatcher(GantryClient gantry, PrintWriter out, boolean states, boolean logs) {
    this.gantry = gantry;
    this.out = out;
    this.states = states;
    this.logs = logs;
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
        return run.state();
      }
      if (states && run.state() == RunState.Scheduled) {
        explainWait(runId);
      }
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
          return end;
        }
        if (states && current == RunState.Scheduled) {
          explainWait(runId);
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
        || diagnosis.verdict() == RunDiagnosis.Verdict.AGENTS_AT_LIMIT) {
      explainedAt = now;
      out.println(Render.clock(now) + " waiting: " + String.join("\n", diagnosis.lines()));
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
    lines.forEach(l -> out.println(l.text()));
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
