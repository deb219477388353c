package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.stored;

import dev.gantry.domain.FlowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link dev.gantry.backend.RunStore#claimDue}: runs of unlimited flows through the database's
 * {@link RunClaimer}, then, while slots remain, runs of concurrency-limited flows through {@link
 * LimitedFlowClaims}; oldest due first.
 */
final class DueRunClaims {

  private final RunClaimer claimer;
  private final LimitedFlowClaims limited;

  DueRunClaims(Database db) {
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
    Claim claim = new Claim(agentId, LabelCondition.of(agentLabels), stored(now), now.plus(lease));
    List<FlowRun> claimed = new ArrayList<>(claimer.claimUnlimited(claim, max));
    if (claimed.size() < max) {
      claimed.addAll(limited.claim(claim, max - claimed.size()));
      claimed.sort(Comparator.comparing(FlowRun::scheduledAt).thenComparing(FlowRun::id));
    }
    return claimed;
  }
}
