package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Claims on H2: poll, then claim each candidate with its own conditional UPDATE. The update applies
 * only while the run is still Scheduled, so of two agents racing for a run exactly one sees an
 * update count of 1. Runs lost to other agents are replaced by polling again.
 */
final class H2RunClaimer implements RunClaimer {

  /** Candidates read beyond {@code max} per poll, to make up for runs other agents win. */
  private static final int CLAIM_SLACK = 4;

  private final Database db;

  H2RunClaimer(Database db) {
    this.db = db;
  }

  @Override
  public List<FlowRun> claimUnlimited(Claim claim, int max) {
    String operation = "claim due runs for agent " + claim.agentId();
    List<FlowRun> claimed = new ArrayList<>();
    Set<String> tried = new HashSet<>();
    while (claimed.size() < max) {
      int wanted = max - claimed.size() + CLAIM_SLACK;
      List<String> candidates =
          db.read(operation, c -> claim.dueCandidates(c, Claim.UNLIMITED_FLOW, List.of(), wanted));
      candidates.removeIf(runId -> !tried.add(runId));
      if (candidates.isEmpty()) {
        break;
      }
      for (String runId : candidates) {
        if (claimed.size() == max) {
          break;
        }
        db.transaction(
                "claim run " + runId + " for agent " + claim.agentId(),
                c -> claimOne(c, claim, runId) ? RunRows.find(c, runId) : Optional.<FlowRun>empty())
            .ifPresent(claimed::add);
      }
    }
    return claimed;
  }

  @Override
  public List<String> claimWithin(
      Connection c, Claim claim, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    List<String> claimed = new ArrayList<>();
    for (String runId : claim.dueCandidates(c, flowCondition, flowParams, limit)) {
      if (claimOne(c, claim, runId)) {
        claimed.add(runId);
      }
    }
    return claimed;
  }

  /** Claims one polled run if it is still Scheduled and due; appends its history. */
  private static boolean claimOne(Connection c, Claim claim, String runId) throws SQLException {
    int claimed =
        update(
            c,
            "UPDATE flow_runs SET state = ?, attempt = attempt + 1, agent_id = ?,"
                + " updated_at = ?, message = NULL, lease_expires_at = ?"
                + " WHERE id = ? AND state = ? AND scheduled_at <= ?",
            RunState.Submitted,
            claim.agentId(),
            claim.now(),
            claim.leaseUntil(),
            runId,
            RunState.Scheduled,
            claim.now());
    if (claimed != 1) {
      return false;
    }
    update(c, RunTable.APPEND_HISTORY, runId);
    return true;
  }
}
