package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;
import static dev.gantry.backend.jdbc.RunTable.ACTIVE;
import static dev.gantry.backend.jdbc.RunTable.APPEND_HISTORY;

import dev.gantry.catalog.WhenLimited;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Due runs of flows with a concurrency limit. {@link #dueFlows} lists the limited flows with runs
 * due for a claim, {@link #dueWithinLimit} reads the oldest due runs each has room for (without
 * claiming them), so {@link DueRunClaims} can keep oldest-due-first across flows; {@link
 * #claimFlow} claims them. Each flow is claimed in a transaction that locks its {@code flow_limits}
 * row first: agents claiming runs of one limited flow take turns, and each counts the active runs
 * after the previous one committed, so agents never exceed the limit together. A flow registered
 * with {@code --when-limited cancel} has its excess due runs Cancelled instead of waiting.
 */
final class LimitedFlowClaims {

  /** A flow with a concurrency limit that has runs due for a claim. */
  record LimitedFlow(String name, WhenLimited whenLimited) {
    /** Whether the flow's due runs beyond its limit are Cancelled at a claim, not left waiting. */
    boolean cancelsExcess() {
      return whenLimited == WhenLimited.cancel;
    }
  }

  private record Limit(int max, WhenLimited whenLimited) {}

  private final Database db;
  private final RunClaimer claimer;

  LimitedFlowClaims(Database db, RunClaimer claimer) {
    this.db = db;
    this.claimer = claimer;
  }

  /** The limited flows with runs due for this claim, the flow with the oldest due run first. */
  List<LimitedFlow> dueFlows(Claim claim) {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(claim.now());
    params.addAll(claim.labels().params());
    return db.read(
        "list concurrency-limited flows with runs due for agent " + claim.agentId(),
        c ->
            query(
                c,
                "SELECT fl.flow_name, fl.when_limited, MIN(r.scheduled_at) AS oldest"
                    + " FROM flow_limits fl"
                    + " JOIN flows f ON f.name = fl.flow_name"
                    + " JOIN flow_runs r ON r.flow_id = f.id"
                    + " WHERE r.state = ? AND r.scheduled_at <= ? AND "
                    + claim.labels().onRun()
                    + " GROUP BY fl.flow_name, fl.when_limited ORDER BY oldest, fl.flow_name",
                row ->
                    new LimitedFlow(
                        row.getString("flow_name"),
                        WhenLimited.valueOf(row.getString("when_limited"))),
                params.toArray()));
  }

  /**
   * The oldest due runs of {@code flow}, up to {@code max} and to the room its limit leaves now;
   * read, not claimed: the claim recounts under the flow's lock.
   */
  List<Claim.Due> dueWithinLimit(Claim claim, LimitedFlow flow, int max) {
    return db.read(
        "read due runs of flow '" + flow.name() + "' for agent " + claim.agentId(),
        c -> {
          Optional<Limit> limit = limit(c, flow.name(), "");
          if (limit.isEmpty()) {
            return List.of();
          }
          int room = Math.min(max, limit.get().max() - activeRuns(c, flow.name()));
          return room < 1
              ? List.of()
              : claim.dueRuns(c, Claim.FLOW_NAMED, List.of(flow.name()), room);
        });
  }

  /**
   * Claims up to {@code wanted} of the oldest due runs of {@code flow} within its limit, and
   * cancels its excess due runs if it says so and is at its limit.
   */
  List<FlowRun> claimFlow(Claim claim, LimitedFlow flow, int wanted) {
    return db.transaction(
        "claim runs of flow '"
            + flow.name()
            + "' within its concurrency limit for agent "
            + claim.agentId(),
        c -> claimWithinLimit(c, claim, flow.name(), wanted));
  }

  private static Optional<Limit> limit(Connection c, String flowName, String lock)
      throws SQLException {
    return queryOne(
        c,
        "SELECT concurrency_limit, when_limited FROM flow_limits WHERE flow_name = ?" + lock,
        row ->
            new Limit(
                row.getInt("concurrency_limit"),
                WhenLimited.valueOf(row.getString("when_limited"))),
        flowName);
  }

  private static int activeRuns(Connection c, String flowName) throws SQLException {
    List<Object> countParams = new ArrayList<>();
    countParams.add(flowName);
    countParams.addAll(ACTIVE);
    return queryOne(
            c,
            "SELECT COUNT(*) AS active FROM flow_runs r WHERE "
                + Claim.FLOW_NAMED
                + " AND r.state IN ("
                + parameterMarks(ACTIVE.size())
                + ")",
            row -> row.getInt("active"),
            countParams.toArray())
        .orElse(0);
  }

  private List<FlowRun> claimWithinLimit(Connection c, Claim claim, String flowName, int free)
      throws SQLException {
    // The row lock makes agents claiming this flow take turns; it holds until commit.
    Optional<Limit> limit = limit(c, flowName, " FOR UPDATE");
    if (limit.isEmpty()) {
      return List.of(); // the limit was lifted meanwhile: the unlimited claim takes these runs
    }
    int active = activeRuns(c, flowName);
    int room = Math.min(free, limit.get().max() - active);
    List<String> claimedIds = new ArrayList<>();
    if (room > 0) {
      claimedIds.addAll(claimer.claimWithin(c, claim, Claim.FLOW_NAMED, List.of(flowName), room));
    }
    if (limit.get().whenLimited() == WhenLimited.cancel
        && active + claimedIds.size() >= limit.get().max()) {
      cancelExcess(c, claim, flowName, limit.get().max());
    }
    return RunRows.readById(c, claimedIds);
  }

  /** Cancels the due runs of a flow at its limit that this claim would otherwise have waited on. */
  private static void cancelExcess(Connection c, Claim claim, String flowName, int limit)
      throws SQLException {
    List<String> excess =
        claim.dueCandidates(c, Claim.FLOW_NAMED, List.of(flowName), Integer.MAX_VALUE);
    if (excess.isEmpty()) {
      return;
    }
    String message =
        "flow '"
            + flowName
            + "' is at its concurrency limit of "
            + limit
            + " active run"
            + (limit == 1 ? "" : "s")
            + " (registered with --when-limited cancel)";
    for (String runId : excess) {
      if (update(
              c,
              "UPDATE flow_runs SET state = ?, updated_at = ?, ended_at = ?, message = ?"
                  + " WHERE id = ? AND state = ?",
              RunState.Cancelled,
              claim.now(),
              claim.now(),
              message,
              runId,
              RunState.Scheduled)
          == 1) {
        update(c, APPEND_HISTORY, runId);
      }
    }
  }
}
