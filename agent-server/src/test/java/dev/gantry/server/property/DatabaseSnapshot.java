package dev.gantry.server.property;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Every table of the backend's schema, as its row count and a SHA-256 of its rows (sorted, so the
 * order the database returns them in does not matter). Two snapshots are equal when no row was
 * added, removed or changed.
 *
 * <p>Left out, because serving a request changes them by design: {@code api_tokens.last_used_at}
 * (stamped on every authenticated call) and {@code audit_events} (the server records refused
 * changes; the property checks those rows itself).
 */
record DatabaseSnapshot(Map<String, String> tables) {
  static final String AUDIT_TABLE = "audit_events";
  private static final Map<String, Set<String>> VOLATILE_COLUMNS =
      Map.of("api_tokens", Set.of("last_used_at"));

  static DatabaseSnapshot of(DataSource dataSource) throws SQLException {
    Map<String, String> tables = new TreeMap<>();
    try (Connection c = dataSource.getConnection()) {
      for (String table : tables(c)) {
        if (!table.equals(AUDIT_TABLE)) {
          tables.put(table, digest(c, table));
        }
      }
    }
    return new DatabaseSnapshot(tables);
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    DatabaseMetaData meta = c.getMetaData();
    try (ResultSet rows = meta.getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
      while (rows.next()) {
        names.add(rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
      }
    }
    if (names.size() < 10) {
      throw new IllegalStateException("found only tables " + names + " in " + c.getSchema());
    }
    return names;
  }

  private static String digest(Connection c, String table) throws SQLException {
    Set<String> skipped = VOLATILE_COLUMNS.getOrDefault(table, Set.of());
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData columns = row.getMetaData();
      while (row.next()) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          if (!skipped.contains(columns.getColumnName(i).toLowerCase(Locale.ROOT))) {
            text.append(row.getString(i)).append('\u0001');
          }
        }
        rows.add(text.toString());
      }
    }
    rows.sort(null);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String row : rows) {
        sha.update(row.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return rows.size() + " rows, " + HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
