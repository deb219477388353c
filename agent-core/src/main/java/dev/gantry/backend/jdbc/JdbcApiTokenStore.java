package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.ApiTokenStore;
import dev.gantry.backend.BackendException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link ApiTokenStore} on the {@code api_tokens} table. */
final class JdbcApiTokenStore implements ApiTokenStore {
  private static final String COLUMNS =
      "name, token_hash, role, created_at, expires_at, revoked_at, last_used_at";

  private final Database db;

  JdbcApiTokenStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean create(ApiToken token) {
    try {
      return db.transaction(
          "create API token '" + token.name() + "'",
          c ->
              update(
                      c,
                      "INSERT INTO api_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                      token.name(),
                      token.tokenHash(),
                      token.role(),
                      token.createdAt(),
                      token.expiresAt(),
                      token.revokedAt(),
                      token.lastUsedAt())
                  == 1);
    } catch (BackendException e) {
      if (Database.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public Optional<ApiToken> findByHash(String tokenHash) {
    return db.read(
        "read an API token",
        c ->
            queryOne(
                c,
                "SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?",
                JdbcApiTokenStore::token,
                tokenHash));
  }

  @Override
  public List<ApiToken> list() {
    return db.read(
        "list API tokens",
        c ->
            query(
                c,
                "SELECT " + COLUMNS + " FROM api_tokens ORDER BY name",
                JdbcApiTokenStore::token));
  }

  @Override
  public boolean revoke(String name, Instant at) {
    return db.transaction(
        "revoke API token '" + name + "'",
        c ->
            update(
                    c,
                    "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                    at,
                    name)
                == 1);
  }

  @Override
  public void touch(String name, Instant at) {
    db.transaction(
        "record the use of API token '" + name + "'",
        c -> update(c, "UPDATE api_tokens SET last_used_at = ? WHERE name = ?", at, name));
  }

  private static ApiToken token(ResultSet row) throws SQLException {
    return new ApiToken(
        row.getString("name"),
        row.getString("token_hash"),
        row.getString("role"),
        instant(row, "created_at"),
        instant(row, "expires_at"),
        instant(row, "revoked_at"),
        instant(row, "last_used_at"));
  }
}
