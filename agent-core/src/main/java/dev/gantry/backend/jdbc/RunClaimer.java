package dev.gantry.backend.jdbc;

import dev.gantry.backend.jdbc.Database.Dialect;
import dev.gantry.domain.FlowRun;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How one database moves due Scheduled runs to Submitted for an agent, so that two agents never
 * claim the same attempt: {@link PostgresRunClaimer} in one statement, {@link H2RunClaimer} run by
 * run.
 */
interface RunClaimer {

  static RunClaimer of(Database db) {
    return db.dialect() == Dialect.POSTGRES ? new PostgresRunClaimer(db) : new H2RunClaimer(db);
  }

  /**
   * Claims up to {@code max} due runs of flows without a concurrency limit, in transactions of its
   * own.
   */
  List<FlowRun> claimUnlimited(Claim claim, int max);

  /**
   * Claims up to {@code limit} due runs matching {@code flowCondition} in the caller's transaction.
   *
   * @return the claimed run ids
   */
  List<String> claimWithin(
      Connection c, Claim claim, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException;
}
