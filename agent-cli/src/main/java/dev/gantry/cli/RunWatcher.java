package dev.gantry.cli;

import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** Follows a run in the backend, printing its state changes and log lines as they land. */
final class RunWatcher {
  private static final Duration POLL = Duration.ofMillis(200);

  private final GantryClient gantry;
  private final PrintWriter out;
  private final boolean states;
  private final boolean logs;
  private int statesShown;
  private long lastLogId;

  RunWatcher(GantryClient gantry, PrintWriter out, boolean states, boolean logs) {
    this.gantry = gantry;
    this.out = out;
    this.states = states;
    this.logs = logs;
  }

  /** Prints what is new until the run is in a terminal state; returns that state. */
  RunState follow(String runId) throws InterruptedException {
    while (true) {
      FlowRun run = gantry.run(runId);
      printNew(runId);
      if (run.state().isTerminal()) {
        printNew(runId); // anything stored between the two reads
        return run.state();
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Prints the log lines stored so far and returns. */
  void printLogs(String runId) {
    drainLogs(runId);
  }

  private void printNew(String runId) {
    if (logs) {
      drainLogs(runId);
    }
    if (states) {
      List<StateChange> history = gantry.history(runId);
      for (; statesShown < history.size(); statesShown++) {
        StateChange change = history.get(statesShown);
        out.println(
            Render.clock(change.at())
                + " state "
                + change.state()
                + (change.message() != null ? ": " + change.message() : ""));
      }
    }
    out.flush();
  }

  private void drainLogs(String runId) {
    while (true) {
      List<LogRecord> page = gantry.logs(runId, lastLogId, 500);
      for (LogRecord record : page) {
        out.println(Render.logLine(record));
        lastLogId = record.id();
      }
      if (page.size() < 500) {
        out.flush();
        return;
      }
    }
  }
}
