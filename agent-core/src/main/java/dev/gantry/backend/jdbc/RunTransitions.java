package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;
import static dev.gantry.backend.jdbc.RunTable.APPEND_HISTORY;
import static dev.gantry.backend.jdbc.RunTable.MESSAGE_LENGTH;

import dev.gantry.backend.RunSignal;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Moves runs between states after their claim: fenced transitions, cancel requests and the
 * rescheduling of a crashed attempt within its infrastructure-retry budget. Each is a conditional
 * UPDATE (the condition is the legal predecessor states and, for agents, the fence) followed by the
 * history append.
 */
final class RunTransitions {

  /** The states an infrastructure failure can end: Cancelling runs end Cancelled instead. */
  private static final Set<RunState> RETRIABLE = EnumSet.of(RunState.Submitted, RunState.Running);

  /**
   * A reported time, kept no earlier than the run's last recorded change (the history stays in
   * order even when the agent's clock is behind the database's).
   */
  private static final String NOT_BEFORE_LAST_CHANGE = "GREATEST(?, updated_at)";

  private final Database db;

  RunTransitions(Database db) {
    this.db = db;
  }

  /** When a change reported for {@code at} happened: then, but never after now; null is now. */
  private Instant happened(Instant at) {
    Instant now = db.now();
    if (at == null) {
      return now;
    }
    Instant stored = Database.stored(at);
    return stored.isAfter(now) ? now : stored;
  }

  boolean transition(RunFence fence, RunState to, String message, Instant at) {
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(to, "to");
    Instant when = happened(at);
    StringBuilder sql = new StringBuilder("UPDATE flow_runs SET state = ?");
    List<Object> params = new ArrayList<>(List.of(to));
    if (to == RunState.Running) {
      sql.append(", started_at = ").append(NOT_BEFORE_LAST_CHANGE);
      params.add(when);
    }
    if (to.isTerminal()) {
      sql.append(", ended_at = ").append(NOT_BEFORE_LAST_CHANGE);
      params.add(when);
    }
    // Last: the times above are kept after the run's previous change, read before this one.
    sql.append(", message = ?, updated_at = ").append(NOT_BEFORE_LAST_CHANGE);
    params.add(fit(message, MESSAGE_LENGTH));
    params.add(when);
    Set<RunState> from = to.legalPredecessors();
    sql.append(" WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN (")
        .append(parameterMarks(from.size()))
        .append(")");
    params.add(fence.runId());
    params.add(fence.attempt());
    params.add(fence.agentId());
    params.addAll(from);
    return db.transaction(
        "move run " + fence.runId() + " (attempt " + fence.attempt() + ") to " + to,
        c -> {
          if (update(c, sql.toString(), params.toArray()) != 1) {
            return false;
          }
          if (to.isTerminal() || to == RunState.Scheduled) {
            // The attempt ended: so did its tasks.
            OpenTaskRows.close(c, fence.runId(), fence.attempt(), to, message, when);
          }
          update(c, APPEND_HISTORY, fence.runId());
          if (to == RunState.Scheduled) {
            db.signal(c, RunSignal.DUE);
          }
          return true;
        });
  }

  Optional<RunState> requestCancel(String runId, String message) {
    Instant now = db.now();
    return db.transaction(
        "request the cancellation of run " + runId,
        c -> {
          // The row lock keeps the state read here current until the update below.
          Optional<RunState> current =
              queryOne(
                  c,
                  "SELECT state FROM flow_runs WHERE id = ? FOR UPDATE",
                  row -> RunState.valueOf(row.getString("state")),
                  runId);
          if (current.isEmpty()) {
            return Optional.empty();
          }
          RunState next =
              switch (current.get()) {
                case Scheduled -> RunState.Cancelled;
                case Submitted, Running -> RunState.Cancelling;
                default -> current.get();
              };
          if (next == current.get()) {
            return current;
          }
          // A Scheduled run ends now; a Cancelling one ends when its agent has stopped it.
          update(
              c,
              "UPDATE flow_runs SET state = ?, updated_at = ?, message = ?, ended_at = ?"
                  + " WHERE id = ?",
              next,
              now,
              fit(message, MESSAGE_LENGTH),
              next.isTerminal() ? now : null,
              runId);
          update(c, APPEND_HISTORY, runId);
          if (next == RunState.Cancelling) {
            db.signal(c, RunSignal.CANCEL);
          }
          return Optional.of(next);
        });
  }

  Optional<InfrastructureRetry> rescheduleAfterCrash(RunFence fence, String message, Instant at) {
    Objects.requireNonNull(fence, "fence");
    Instant now = db.now();
    Instant crashedAt = happened(at);
    String crashMessage = fit(message, MESSAGE_LENGTH);
    List<Object> crashParams =
        new ArrayList<>(
            List.of(
                RunState.Crashed,
                crashedAt,
                crashMessage,
                crashedAt,
                fence.runId(),
                fence.attempt(),
                fence.agentId()));
    crashParams.addAll(RETRIABLE);
    return db.transaction(
        "schedule run " + fence.runId() + " (attempt " + fence.attempt() + ") again after a crash",
        c -> {
          // Crashed only while the budget lasts; the condition and the write are one statement.
          int crashed =
              update(
                  c,
                  "UPDATE flow_runs SET state = ?, ended_at = "
                      + NOT_BEFORE_LAST_CHANGE
                      + ", message = ?, lease_expires_at = NULL, updated_at = "
                      + NOT_BEFORE_LAST_CHANGE
                      + " WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN ("
                      + parameterMarks(RETRIABLE.size())
                      + ") AND infrastructure_retries_used <"
                      + " (SELECT f.infrastructure_retries FROM flows f"
                      + " WHERE f.id = flow_runs.flow_id)",
                  crashParams.toArray());
          if (crashed != 1) {
            return Optional.empty();
          }
          OpenTaskRows.close(
              c, fence.runId(), fence.attempt(), RunState.Crashed, message, crashedAt);
          update(c, APPEND_HISTORY, fence.runId());
          InfrastructureRetry retry =
              queryOne(
                      c,
                      "SELECT r.infrastructure_retries_used + 1 AS retry,"
                          + " f.infrastructure_retries AS budget"
                          + " FROM flow_runs r JOIN flows f ON f.id = r.flow_id WHERE r.id = ?",
                      row -> new InfrastructureRetry(row.getInt("retry"), row.getInt("budget")),
                      fence.runId())
                  .orElseThrow();
          // No agent holds the run until its next claim, a new attempt: the crashed attempt's
          // agent is fenced out. It keeps its place in the queue (its due time is unchanged).
          update(
              c,
              "UPDATE flow_runs SET state = ?, agent_id = NULL, updated_at = ?, started_at = NULL,"
                  + " ended_at = NULL, message = ?,"
                  + " infrastructure_retries_used = infrastructure_retries_used + 1 WHERE id = ?",
              RunState.Scheduled,
              now,
              fit("scheduled again (" + retry.describe() + ") after: " + message, MESSAGE_LENGTH),
              fence.runId());
          update(c, APPEND_HISTORY, fence.runId());
          db.signal(c, RunSignal.DUE);
          return Optional.of(retry);
        });
  }
}
