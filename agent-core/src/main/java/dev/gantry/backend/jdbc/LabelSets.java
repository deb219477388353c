package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.update;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code label_sets} table: one row per distinct set of run labels, found or recorded when a
 * run is created, so the poll can pick the sets an agent covers before it reads any run. Public
 * only for the Flyway migration that fills it for existing runs.
 */
public final class LabelSets {

  private LabelSets() {}

  /**
   * The canonical key of a label set: SHA-256 (hex) of its sorted labels, each prefixed by its
   * length, so no two sets share a key and the key fits an indexed column however long the labels.
   */
  public static String key(Set<String> labels) {
    StringBuilder canonical = new StringBuilder();
    for (String label : new TreeSet<>(labels)) {
      canonical.append(label.length()).append(':').append(label);
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256, which every Java runtime has", e);
    }
  }

  /**
   * The id of the set {@code labels}, recorded first if no run had it yet. Another transaction
   * recording the same set at once makes the insert fail on the unique key; the insert is then
   * rolled back to a savepoint and the other's row read, so the caller's transaction goes on.
   */
  public static long idOf(Connection c, Set<String> labels) throws SQLException {
    String key = key(labels);
    Optional<Long> found = find(c, key);
    if (found.isPresent()) {
      return found.get();
    }
    Savepoint beforeInsert = c.setSavepoint();
    try {
      update(
          c, "INSERT INTO label_sets (label_key, label_count) VALUES (?, ?)", key, labels.size());
      long id = find(c, key).orElseThrow();
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO label_set_labels (label_set_id, label) VALUES (?, ?)")) {
        for (String label : labels) {
          Database.bind(insert, id, label);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.releaseSavepoint(beforeInsert);
      return id;
    } catch (SQLException e) {
      if (!Database.isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(beforeInsert);
      return find(c, key)
          .orElseThrow(() -> new SQLException("label set " + key + " vanished after a race", e));
    }
  }

  private static Optional<Long> find(Connection c, String key) throws SQLException {
    return queryOne(
        c, "SELECT id FROM label_sets WHERE label_key = ?", row -> row.getLong("id"), key);
  }
}
