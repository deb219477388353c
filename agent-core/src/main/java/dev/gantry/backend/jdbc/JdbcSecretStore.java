package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.SecretStore;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link SecretStore} on the {@code secrets} table; bytes are stored as base64 text. */
final class JdbcSecretStore implements SecretStore {
  private static final Base64.Encoder ENCODE = Base64.getEncoder();
  private static final Base64.Decoder DECODE = Base64.getDecoder();

  private final Database db;

  JdbcSecretStore(Database db) {
    this.db = db;
  }

  @Override
  public void put(StoredSecret secret) {
    Objects.requireNonNull(secret, "secret");
    String nonce = ENCODE.encodeToString(secret.nonce());
    String ciphertext = ENCODE.encodeToString(secret.ciphertext());
    Instant now = db.now();
    try {
      upsert(secret.name(), nonce, ciphertext, now);
    } catch (BackendException e) {
      // Another process inserted the name between our UPDATE and INSERT: update its row.
      if (!Database.isUniqueViolation(e)) {
        throw e;
      }
      upsert(secret.name(), nonce, ciphertext, now);
    }
  }

  private void upsert(String name, String nonce, String ciphertext, Instant now) {
    db.transaction(
        "store secret '" + name + "'",
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE secrets SET nonce = ?, ciphertext = ?, updated_at = ? WHERE name = ?",
                  nonce,
                  ciphertext,
                  now,
                  name);
          if (updated == 0) {
            update(
                c,
                "INSERT INTO secrets (name, nonce, ciphertext, updated_at) VALUES (?, ?, ?, ?)",
                name,
                nonce,
                ciphertext,
                now);
          }
          return null;
        });
  }

  @Override
  public Optional<StoredSecret> find(String name) {
    return db.read(
        "read secret '" + name + "'",
        c ->
            queryOne(
                c,
                "SELECT name, nonce, ciphertext, updated_at FROM secrets WHERE name = ?",
                row ->
                    new StoredSecret(
                        row.getString("name"),
                        DECODE.decode(row.getString("nonce")),
                        DECODE.decode(row.getString("ciphertext")),
                        instant(row, "updated_at")),
                name));
  }

  @Override
  public List<SecretSummary> list() {
    return db.read(
        "list secrets",
        c ->
            query(
                c,
                "SELECT name, updated_at FROM secrets ORDER BY name",
                row -> new SecretSummary(row.getString("name"), instant(row, "updated_at"))));
  }

  @Override
  public boolean delete(String name) {
    return db.transaction(
        "delete secret '" + name + "'",
        c -> update(c, "DELETE FROM secrets WHERE name = ?", name) == 1);
  }
}
