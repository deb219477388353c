package dev.gantry.server.audit;

import dev.gantry.backend.AuditStore;
import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.server.auth.Principal;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records calls that change something. Only names go in (token, action, path, status), never a
 * request body, so no secret or token value can reach the trail.
 */
public final class AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

  private final AuditStore store;
  private final Clock clock;

  public AuditTrail(AuditStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public void record(
      Principal who, String action, String target, String outcome, String clientAddress) {
    try {
      store.record(
          new AuditEvent(
              0,
              clock.instant(),
              who.tokenName(),
              who.role().key(),
              action,
              target,
              outcome,
              clientAddress));
    } catch (RuntimeException e) {
      // The change itself is done; losing its record must not turn it into an error for the caller.
      LOG.error(
          "could not record audit event {} on {} by {}: {}",
          action,
          target,
          who.tokenName(),
          e.getMessage());
    }
  }
}
