package dev.gantry.server.json;

import dev.gantry.backend.ApiTokenStore.ApiToken;
import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.domain.AgentInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The API's JSON bodies, as records: what the server writes and reads, and what a remote client
 * reads back with {@link Json#mapper()}. None of them carries a secret or token value but {@link
 * SecretValue} (request only) and {@link CreatedToken} (the one answer that shows a new token).
 */
public final class Dtos {
  private Dtos() {}

  /** A page of items; {@code next} is the cursor of the next page, absent on the last. */
  public record Page<T>(List<T> items, String next) {}

  /** A token as listed: never its value or hash. */
  public record TokenView(
      String name,
      String role,
      Instant createdAt,
      Instant expiresAt,
      Instant revokedAt,
      Instant lastUsedAt) {
    public static TokenView of(ApiToken token) {
      return new TokenView(
          token.name(),
          token.role(),
          token.createdAt(),
          token.expiresAt(),
          token.revokedAt(),
          token.lastUsedAt());
    }
  }

  /** {@code POST /api/v1/tokens}: a name, a role and optionally a lifetime in seconds. */
  public record NewToken(String name, String role, Long expiresInSeconds) {}

  /** The answer to a token's creation: its value, shown this once. */
  public record CreatedToken(String token, TokenView details) {}

  /** {@code PUT /api/v1/secrets/{name}}: the value, write-only. */
  public record SecretValue(String value) {
    @Override
    public String toString() {
      return "SecretValue[redacted]";
    }
  }

  public record SecretView(String name, Instant updatedAt) {
    public static SecretView of(SecretSummary secret) {
      return new SecretView(secret.name(), secret.updatedAt());
    }
  }

  public record AgentView(
      String id,
      String name,
      String kind,
      String host,
      Set<String> labels,
      int maxConcurrent,
      int running,
      Instant startedAt,
      Instant heartbeatAt,
      Instant stoppedAt) {
    public static AgentView of(AgentInfo agent) {
      return new AgentView(
          agent.id(),
          agent.name(),
          agent.kind(),
          agent.host(),
          agent.labels(),
          agent.maxConcurrent(),
          agent.running(),
          agent.startedAt(),
          agent.heartbeatAt(),
          agent.stoppedAt());
    }
  }

  public record AuditEntry(
      long id,
      Instant at,
      String tokenName,
      String role,
      String action,
      String target,
      String outcome,
      String clientAddress) {
    public static AuditEntry of(AuditEvent event) {
      return new AuditEntry(
          event.id(),
          event.at(),
          event.tokenName(),
          event.role(),
          event.action(),
          event.target(),
          event.outcome(),
          event.clientAddress());
    }
  }

  /** Who the caller is. */
  public record Identity(String tokenName, String role) {}
}
