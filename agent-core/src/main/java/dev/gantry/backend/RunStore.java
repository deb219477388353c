package dev.gantry.backend;

import dev.gantry.runs.FlowRun;
import dev.gantry.runs.LogRecord;
import dev.gantry.runs.NewRun;
import dev.gantry.runs.RunFence;
import dev.gantry.runs.RunState;
import dev.gantry.runs.StateChange;
import dev.gantry.runs.TaskRun;
import dev.gantry.runs.TaskStateUpdate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Flow runs, their state history, task runs and logs. Every state change is also appended to the
 * history. Writes an agent makes carry a {@link RunFence} and are refused (return false, write
 * nothing) when the fence is not the run's current attempt and agent.
 */
public interface RunStore {

  /** Creates a Scheduled run and returns it. */
  FlowRun create(NewRun run);

  Optional<FlowRun> find(String runId);

  /** Finds a run by its full id or by a prefix that only one run id has. */
  Optional<FlowRun> findByIdOrPrefix(String idOrPrefix);

  /** Runs, newest first; {@code flowName} and {@code states} filter when not null/empty. */
  List<FlowRun> list(String flowName, Set<RunState> states, int limit);

  /**
   * Claims up to {@code max} runs that are Scheduled, due at {@code now} and whose labels the
   * agent's labels cover (see {@link dev.gantry.runs.LabelRule}), oldest due first. Each claimed
   * run moves to Submitted with attempt + 1 and agentId set, atomically: two agents never claim the
   * same attempt.
   */
  List<FlowRun> claimDue(String agentId, Set<String> agentLabels, int max, Instant now);

  /**
   * Moves the fenced run to {@code to} if its current state may move there ({@link
   * RunState#canMoveTo}); sets startedAt on Running and endedAt on a terminal state.
   *
   * @return false when the fence is stale or the move is not legal from the current state
   */
  boolean transition(RunFence fence, RunState to, String message);

  /**
   * Asks for a run to be cancelled: a Scheduled run becomes Cancelled at once, a Submitted or
   * Running one becomes Cancelling (its agent enforces it).
   *
   * @return the state after the request, or empty if the run does not exist
   */
  Optional<RunState> requestCancel(String runId, String message);

  /** Runs of this agent's current attempts in the given states. */
  List<FlowRun> runsOfAgent(String agentId, Collection<RunState> states);

  /**
   * Active runs (Submitted, Running, Cancelling) whose agent has not heartbeated since {@code
   * heartbeatBefore} (or no longer exists), for agents of the given kind.
   */
  List<FlowRun> orphanedRuns(String agentKind, Instant heartbeatBefore);

  /**
   * Hands an active run's current attempt to another agent (adoption), keeping its state and
   * attempt, and records the handover in the history.
   *
   * @return the new fence, or empty when the stale fence is no longer the run's current one or the
   *     run is not active
   */
  Optional<RunFence> adopt(RunFence stale, String newAgentId, String message);

  /** When the newest stored log record of the run was written, if it has any. */
  Optional<Instant> latestLogAt(String runId);

  List<StateChange> history(String runId);

  /** Records a task state for the fenced attempt (inserts or updates the task run). */
  boolean recordTaskState(RunFence fence, TaskStateUpdate update);

  /** Task runs of the run's current attempt, in order of first report. */
  List<TaskRun> taskRuns(String runId);

  /** Appends log records for the fenced attempt; ids and runId of the records are ignored. */
  boolean appendLogs(RunFence fence, List<LogRecord> records);

  /** Logs of a run with id greater than {@code afterId}, in order, at most {@code limit}. */
  List<LogRecord> logs(String runId, long afterId, int limit);
}
