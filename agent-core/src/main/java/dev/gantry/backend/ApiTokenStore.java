package dev.gantry.backend;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The server's API tokens, kept as hashes of their values only, one per unique name. */
public interface ApiTokenStore {

  /**
   * Records a new token.
   *
   * @return false when a token (revoked or not) already has the name
   */
  boolean create(ApiToken token);

  /** The token whose value hashes to {@code tokenHash}, revoked and expired ones included. */
  Optional<ApiToken> findByHash(String tokenHash);

  /** Every token, ordered by name. */
  List<ApiToken> list();

  /**
   * Revokes the named token from {@code at} on.
   *
   * @return false when no unrevoked token has the name
   */
  boolean revoke(String name, Instant at);

  /** Records that the named token was used at {@code at}. */
  void touch(String name, Instant at);

  /**
   * A token as stored.
   *
   * @param tokenHash hex SHA-256 of the token's value
   * @param role the role's name (viewer, operator, deployer, admin)
   * @param expiresAt null for a token that does not expire
   * @param revokedAt null while not revoked
   * @param lastUsedAt null until first used
   */
  record ApiToken(
      String name,
      String tokenHash,
      String role,
      Instant createdAt,
      Instant expiresAt,
      Instant revokedAt,
      Instant lastUsedAt) {
    public ApiToken {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tokenHash, "tokenHash");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public String toString() {
      return "ApiToken[" + name + ", " + role + "]"; // never the hash
    }
  }
}
