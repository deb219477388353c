package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.queryOne;

import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/**
 * What every writer of {@code flow_runs} shares: the column lengths, the active states, the history
 * append and the fence check under the run's row lock.
 */
final class RunTable {

  /** Column lengths from V1__initial_schema.sql; longer text is cut to fit. */
  static final int MESSAGE_LENGTH = 4000;

  static final int TASK_NAME_LENGTH = 200;

  static final Set<RunState> ACTIVE =
      EnumSet.of(RunState.Submitted, RunState.Running, RunState.Cancelling);

  /** Copies a run's current state into its history; the caller has just changed it. */
  static final String APPEND_HISTORY =
      "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
          + " SELECT id, state, attempt, agent_id, updated_at, message FROM flow_runs WHERE id = ?";

  private RunTable() {}

  /**
   * Locks the run's row and checks that the fence is its current attempt and agent. The lock holds
   * until the caller's transaction ends, so a concurrent claim of a new attempt cannot slip between
   * this check and the caller's write.
   */
  static boolean holdsFence(Connection c, RunFence fence) throws SQLException {
    return queryOne(
            c,
            "SELECT id FROM flow_runs WHERE id = ? AND attempt = ? AND agent_id = ? FOR UPDATE",
            row -> true,
            fence.runId(),
            fence.attempt(),
            fence.agentId())
        .isPresent();
  }
}
