package dev.gantry.server.client;

import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;

/** One event of a run's stream ({@code GET /api/v1/runs/{id}/events}), as domain values. */
public sealed interface RunEvent {

  /** The run entered a state: the next entry of its history. */
  record State(StateChange change) implements RunEvent {}

  /** A task reported a state. */
  record Task(TaskRun task) implements RunEvent {}

  /** A log line was stored. */
  record Log(LogRecord line) implements RunEvent {}

  /** The run has ended in {@code state} and everything before was sent. */
  record End(RunState state) implements RunEvent {}
}
