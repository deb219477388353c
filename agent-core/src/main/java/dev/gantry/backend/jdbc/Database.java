package dev.gantry.backend.jdbc;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.RunSignal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The pooled database behind the stores: transactions, statements and the conversions between Java
 * values and columns. Every {@link SQLException} leaves here as a {@link BackendException} that
 * names the operation.
 */
final class Database {

  /** Work done on one connection; the caller commits or rolls back around it. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** The two databases Gantry runs on; statements differ only where one can do better. */
  enum Dialect {
    H2,
    POSTGRES
  }

  /** The PostgreSQL channel of {@link dev.gantry.backend.RunSignal}s. */
  static final String SIGNAL_CHANNEL = "gantry_runs";

  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final Clock clock;
  private final Dialect dialect;

  Database(DataSource dataSource, Clock clock, Dialect dialect) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.dialect = dialect;
  }

  Dialect dialect() {
    return dialect;
  }

  /**
   * Wakes the subscribers of {@code signal} when the caller's transaction commits (PostgreSQL's
   * NOTIFY is transactional); on H2 it does nothing and agents find the work by polling.
   */
  void signal(Connection connection, RunSignal signal) throws SQLException {
    if (dialect == Dialect.POSTGRES) {
      queryOne(
          connection,
          "SELECT pg_notify('" + SIGNAL_CHANNEL + "', ?) AS sent",
          row -> true,
          signal.name());
    }
  }

  /** The current time at the precision the database keeps (microseconds). */
  Instant now() {
    return stored(clock.instant());
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  <T> T transaction(String operation, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  /** Runs read-only {@code work} with auto-commit: each statement sees the latest commits. */
  <T> T read(String operation, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.apply(connection);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  static BackendException failure(String operation, SQLException e) {
    return new BackendException("cannot " + operation + ": " + e.getMessage(), e);
  }

  /** Whether the failure, or its cause, is a unique-key violation (same SQLState on H2 and PG). */
  static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  static int update(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      return statement.executeUpdate();
    }
  }

  static <T> List<T> query(Connection connection, String sql, RowReader<T> reader, Object... params)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      try (ResultSet rows = statement.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rows.next()) {
          out.add(reader.read(rows));
        }
        return out;
      }
    }
  }

  static <T> Optional<T> queryOne(
      Connection connection, String sql, RowReader<T> reader, Object... params)
      throws SQLException {
    List<T> rows = query(connection, sql, reader, params);
    if (rows.size() > 1) {
      throw new SQLException("expected at most one row, got " + rows.size() + " from: " + sql);
    }
    return rows.stream().findFirst();
  }

  /**
   * Binds parameters by type: instants as UTC {@link OffsetDateTime} (microseconds), enums by name,
   * null as an untyped NULL the database types from its context.
   */
  static void bind(PreparedStatement statement, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      int index = i + 1;
      Object value = params[i];
      if (value == null) {
        statement.setNull(index, Types.NULL);
      } else if (value instanceof String s) {
        statement.setString(index, s);
      } else if (value instanceof Integer n) {
        statement.setInt(index, n);
      } else if (value instanceof Long n) {
        statement.setLong(index, n);
      } else if (value instanceof Boolean b) {
        statement.setBoolean(index, b);
      } else if (value instanceof Instant instant) {
        statement.setObject(index, OffsetDateTime.ofInstant(stored(instant), ZoneOffset.UTC));
      } else if (value instanceof Enum<?> e) {
        statement.setString(index, e.name());
      } else {
        throw new IllegalArgumentException(
            "cannot bind a " + value.getClass().getName() + " as SQL parameter " + index);
      }
    }
  }

  /** Reads a TIMESTAMP WITH TIME ZONE column as an instant, or null. */
  static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** An instant at the precision both databases store, so values read back equal those written. */
  static Instant stored(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
  }

  /** {@code ?, ?, ?} for an IN list of {@code count} values. */
  static String parameterMarks(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("an IN list needs at least one value");
    }
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  /**
   * Text that fits a VARCHAR column: cut to {@code maxLength} chars without splitting a surrogate
   * pair, and without NUL characters, which PostgreSQL refuses in text.
   */
  static String fit(String text, int maxLength) {
    if (text == null) {
      return null;
    }
    String clean = text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    if (clean.length() <= maxLength) {
      return clean;
    }
    int end = maxLength;
    if (Character.isHighSurrogate(clean.charAt(end - 1))) {
      end--;
    }
    return clean.substring(0, end);
  }
}
