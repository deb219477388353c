package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.AuditStore;
import java.util.List;

/** {@link AuditStore} on the {@code audit_events} table. */
final class JdbcAuditStore implements AuditStore {
  private final Database db;

  JdbcAuditStore(Database db) {
    this.db = db;
  }

  @Override
  public void record(AuditEvent event) {
    db.transaction(
        "record audit event " + event.action(),
        c ->
            update(
                c,
                "INSERT INTO audit_events (at, token_name, role, action, target, outcome,"
                    + " client_address) VALUES (?, ?, ?, ?, ?, ?, ?)",
                event.at(),
                Database.fit(event.tokenName(), 100),
                Database.fit(event.role(), 20),
                Database.fit(event.action(), 100),
                Database.fit(event.target(), 500),
                Database.fit(event.outcome(), 500),
                Database.fit(event.clientAddress(), 100)));
  }

  @Override
  public List<AuditEvent> list(long beforeId, int limit) {
    return db.read(
        "list audit events",
        c ->
            query(
                c,
                "SELECT id, at, token_name, role, action, target, outcome, client_address"
                    + " FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?",
                row ->
                    new AuditEvent(
                        row.getLong("id"),
                        instant(row, "at"),
                        row.getString("token_name"),
                        row.getString("role"),
                        row.getString("action"),
                        row.getString("target"),
                        row.getString("outcome"),
                        row.getString("client_address")),
                beforeId,
                limit));
  }
}
