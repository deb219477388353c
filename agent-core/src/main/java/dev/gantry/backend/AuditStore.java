package dev.gantry.backend;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The server's audit trail: append-only, read newest first. */
public interface AuditStore {

  /** Appends an event; its id is ignored and assigned by the store. */
  void record(AuditEvent event);

  /** Up to {@code limit} events with an id below {@code beforeId}, newest first. */
  List<AuditEvent> list(long beforeId, int limit);

  /**
   * One call that changed (or tried to change) something.
   *
   * @param action what was asked, e.g. {@code token.create}
   * @param target what it was asked of, e.g. {@code /api/v1/tokens/ci}
   * @param outcome the result, e.g. {@code 201} or {@code 404 Not Found}
   */
  record AuditEvent(
      long id,
      Instant at,
      String tokenName,
      String role,
      String action,
      String target,
      String outcome,
      String clientAddress) {
    public AuditEvent {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(tokenName, "tokenName");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(clientAddress, "clientAddress");
    }
  }
}
