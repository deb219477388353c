package dev.gantry.backend.jdbc;

import java.util.Set;

/** The backend's PostgreSQL claim statement, for the benchmark's test to compare its copy with. */
public final class BackendClaimStatement {

  private BackendClaimStatement() {}

  /** The statement an agent without labels claims runs of unlimited flows with. */
  public static String forAgentWithoutLabels() {
    return PostgresRunClaimer.claimStatement(LabelCondition.of(Set.of()), Claim.UNLIMITED_FLOW);
  }
}
