package dev.gantry.backend;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import java.time.Duration;
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

  /** The lease of a claim made without one: the agents' default orphan timeout. */
  Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** Creates a Scheduled run and returns it; agents listening for due runs are woken. */
  FlowRun create(NewRun run);

  /**
   * Creates the run for one schedule fire, due at {@code run.scheduledAt()} (the fire time), unless
   * a run of the same flow version was already created for that fire: however many schedulers fire
   * it, each fire creates exactly one run.
   *
   * @return the new run, or empty when the fire already has its run
   */
  Optional<FlowRun> createForScheduleFire(NewRun run);

  Optional<FlowRun> find(String runId);

  /** Finds a run by its full id or by a prefix that only one run id has. */
  Optional<FlowRun> findByIdOrPrefix(String idOrPrefix);

  /** Runs, newest first; {@code flowName} and {@code states} filter when not null/empty. */
  List<FlowRun> list(String flowName, Set<RunState> states, int limit);

  /** {@link #claimDue(String, Set, int, Instant, Duration)} with the {@link #DEFAULT_LEASE}. */
  default List<FlowRun> claimDue(String agentId, Set<String> agentLabels, int max, Instant now) {
    return claimDue(agentId, agentLabels, max, now, DEFAULT_LEASE);
  }

  /**
   * Claims up to {@code max} runs that are Scheduled, due at {@code now} and whose labels the
   * agent's labels cover (see {@link dev.gantry.domain.LabelRule}), oldest due first. Each claimed
   * run moves to Submitted with attempt + 1, agentId set and a lease until {@code now + lease},
   * atomically: two agents never claim the same attempt.
   *
   * <p>Runs of a flow at its concurrency limit are skipped (they never hold back runs of other
   * flows), or, when the flow says {@code cancel}, Cancelled with a message naming the limit. The
   * result may hold fewer than {@code max} runs while other agents claim the rest at the same
   * moment.
   */
  List<FlowRun> claimDue(
      String agentId, Set<String> agentLabels, int max, Instant now, Duration lease);

  /**
   * {@link #transition(RunFence, RunState, String, Instant)} at the database's current time.
   *
   * @return false when the fence is stale or the move is not legal from the current state
   */
  default boolean transition(RunFence fence, RunState to, String message) {
    return transition(fence, to, message, null);
  }

  /**
   * Moves the fenced run to {@code to} if its current state may move there ({@link
   * RunState#canMoveTo}); sets startedAt on Running and endedAt on a terminal state to {@code at},
   * the time it happened, which the history records too: a run whose end is written after a
   * database outage keeps the time it ended. The time is kept between the run's last recorded
   * change and now (an agent's clock ahead of the database's does not write the future).
   *
   * <p>A move that ends the attempt (a terminal state, or Scheduled again) also ends, in the same
   * transaction and at the same time, the attempt's tasks that never reported an end: CANCELLED for
   * a cancelled run, else FAILED, with a message saying why ("run crashed: …").
   *
   * @param at when the run moved, null for now
   * @return false when the fence is stale or the move is not legal from the current state
   */
  boolean transition(RunFence fence, RunState to, String message, Instant at);

  /**
   * Asks for a run to be cancelled: a Scheduled run becomes Cancelled at once, a Submitted or
   * Running one becomes Cancelling (its agent, woken where the database can push, enforces it).
   *
   * @return the state after the request, or empty if the run does not exist
   */
  Optional<RunState> requestCancel(String runId, String message);

  /** Runs of this agent's current attempts in the given states. */
  List<FlowRun> runsOfAgent(String agentId, Collection<RunState> states);

  /**
   * Renews the leases of the agent's current attempts among {@code runIds}, in one statement, for
   * {@code lease} from when the statement runs (not from when it was asked for: a call that waited
   * for a connection still gets the whole lease).
   *
   * @return the ids renewed: a run missing here is no longer this agent's (adopted by another,
   *     rescheduled) or no longer active
   */
  Set<String> renewLeases(String agentId, Collection<String> runIds, Duration lease);

  /**
   * Orphaned runs: active (Submitted, Running, Cancelling) with a lease expired at {@code now}, or
   * whose agent stopped, of agents of the given kind (or of agents no longer recorded).
   */
  List<FlowRun> expiredLeases(String agentKind, Instant now);

  /**
   * Hands an active run's current attempt to another agent (adoption), keeping its state and
   * attempt, with a new lease, and records the handover in the history.
   *
   * @return the new fence, or empty when the stale fence is no longer the run's current one or the
   *     run is not active
   */
  Optional<RunFence> adopt(RunFence stale, String newAgentId, String message, Instant leaseUntil);

  /**
   * Ends the fenced attempt of a Submitted or Running run whose infrastructure failed, and, while
   * its flow version's infrastructure-retry budget lasts, schedules it again at once: the history
   * records Crashed with {@code message}, then Scheduled; the next claim is a new attempt, so the
   * crashed attempt's agent is fenced out. Nothing is written when the budget is spent, the fence
   * is stale or the run is in another state: the caller records Crashed then.
   *
   * @return the retry granted, or empty when none was
   */
  default Optional<InfrastructureRetry> rescheduleAfterCrash(RunFence fence, String message) {
    return rescheduleAfterCrash(fence, message, null);
  }

  /**
   * {@link #rescheduleAfterCrash(RunFence, String)} for an attempt that crashed at {@code at} (null
   * for now): its endedAt and the history's Crashed entry keep that time, as in {@link
   * #transition(RunFence, RunState, String, Instant)}; Scheduled again is recorded now. The
   * attempt's open tasks end FAILED ("run crashed: …").
   */
  Optional<InfrastructureRetry> rescheduleAfterCrash(RunFence fence, String message, Instant at);

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

  /**
   * Records the bundle the fenced attempt ran, as its bootstrap reported it (see {@link
   * BundleStore#recordRunBundle}). The default stores nothing.
   *
   * @return false when nothing was stored (stale fence, or a store that keeps no bundles)
   */
  default boolean recordRunBundle(RunFence fence, String digest, String build) {
    return false;
  }
}
