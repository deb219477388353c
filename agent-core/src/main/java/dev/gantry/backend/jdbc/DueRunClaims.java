package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.stored;

import dev.gantry.backend.jdbc.LimitedFlowClaims.LimitedFlow;
import dev.gantry.domain.FlowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link dev.gantry.backend.RunStore#claimDue}: the oldest due runs across all flows, within what
 * the concurrency limits allow. Without limited flows due, it is one claim of runs of unlimited
 * flows through the database's {@link RunClaimer}. Otherwise it first reads, without claiming, the
 * oldest due runs of unlimited flows and, per limited flow, the oldest it has room for; of these
 * the oldest {@code max} say how many runs each limited flow gets. Those are claimed under the
 * flows' locks ({@link LimitedFlowClaims}), and the slots left go to unlimited flows, so a steady
 * stream of unlimited runs cannot starve a limited flow's older runs.
 */
final class DueRunClaims {

  private final Database db;
  private final RunClaimer claimer;
  private final LimitedFlowClaims limited;

  DueRunClaims(Database db) {
    this.db = db;
    this.claimer = RunClaimer.of(db);
    this.limited = new LimitedFlowClaims(db, claimer);
  }

  List<FlowRun> claimDue(
      String agentId, Set<String> agentLabels, int max, Instant now, Duration lease) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    if (max < 1) {
      return List.of();
    }
    Claim claim =
        new Claim(
            agentId, LabelCondition.of(agentLabels), stored(now), now.plus(lease), db.dialect());
    List<LimitedFlow> flows = limited.dueFlows(claim);
    if (flows.isEmpty()) {
      return claimer.claimUnlimited(claim, max);
    }
    Map<String, Integer> shares = limitedShares(claim, flows, max);
    List<FlowRun> claimed = new ArrayList<>();
    for (LimitedFlow flow : flows) {
      int wanted = Math.min(shares.getOrDefault(flow.name(), 0), max - claimed.size());
      if (wanted > 0 || flow.cancelsExcess()) {
        claimed.addAll(limited.claimFlow(claim, flow, wanted));
      }
    }
    if (claimed.size() < max) {
      claimed.addAll(claimer.claimUnlimited(claim, max - claimed.size()));
    }
    claimed.sort(Comparator.comparing(FlowRun::scheduledAt).thenComparing(FlowRun::id));
    return claimed;
  }

  /**
   * How many of the oldest {@code max} due runs the claim may take belong to each limited flow: the
   * due runs of unlimited flows and of each limited flow within its room, merged in due order.
   */
  private Map<String, Integer> limitedShares(Claim claim, List<LimitedFlow> flows, int max) {
    record Candidate(Claim.Due due, String limitedFlow) {}
    List<Candidate> candidates = new ArrayList<>();
    db.read(
            "read due runs for agent " + claim.agentId(),
            c -> claim.dueRuns(c, Claim.UNLIMITED_FLOW, List.of(), max))
        .forEach(due -> candidates.add(new Candidate(due, null)));
    for (LimitedFlow flow : flows) {
      limited
          .dueWithinLimit(claim, flow, max)
          .forEach(due -> candidates.add(new Candidate(due, flow.name())));
    }
    candidates.sort(Comparator.comparing(Candidate::due));
    Map<String, Integer> shares = new HashMap<>();
    for (Candidate candidate : candidates.subList(0, Math.min(max, candidates.size()))) {
      if (candidate.limitedFlow() != null) {
        shares.merge(candidate.limitedFlow(), 1, Integer::sum);
      }
    }
    return shares;
  }
}
