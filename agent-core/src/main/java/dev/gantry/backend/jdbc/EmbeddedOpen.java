package dev.gantry.backend.jdbc;

import dev.gantry.retry.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Opening the embedded H2 file database while other local processes open and close it. With {@code
 * AUTO_SERVER=TRUE} one process serves the file and the others connect to it; while one takes over
 * from another that is closing, an open can briefly fail ("Lock file recently modified", a broken
 * or refused server connection, a pool that could not make a connection in time, a lock on the
 * schema history another process holds while it migrates). Those failures are retried with {@link
 * Backoff} for up to {@link #RETRY_FOR}; any other failure (a wrong path, a corrupt file, a failed
 * migration) is reported at once.
 */
final class EmbeddedOpen {

  /** How long opening keeps retrying while another process holds or hands over the file. */
  static final Duration RETRY_FOR = Duration.ofSeconds(30);

  /** H2's error codes of a database another process is opening, closing or serving. */
  private static final java.util.Set<Integer> TRANSIENT_H2_CODES =
      java.util.Set.of(
          8000, // ERROR_OPENING_DATABASE_1: "Lock file recently modified", "Concurrent update",
          // "Another process was faster"
          50200, // LOCK_TIMEOUT_1: another process is migrating the schema (flyway_schema_history)
          90020, // DATABASE_ALREADY_OPEN_1
          90067, // CONNECTION_BROKEN_1: the serving process went away
          90098, // DATABASE_IS_CLOSED
          90121, // DATABASE_CALLED_AT_SHUTDOWN
          90135); // DATABASE_IS_IN_EXCLUSIVE_MODE

  private EmbeddedOpen() {}

  /**
   * Why the file database cannot be at {@code jdbcUrl}'s path at all (a file where a directory must
   * be), or empty.
   */
  static Optional<String> impossiblePath(String jdbcUrl) {
    String lower = jdbcUrl.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("jdbc:h2:file:")) {
      return Optional.empty();
    }
    String rest = jdbcUrl.substring("jdbc:h2:file:".length());
    int options = rest.indexOf(';');
    Path database = Path.of(options < 0 ? rest : rest.substring(0, options));
    for (Path dir = database.getParent(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir)) {
        return Files.isDirectory(dir)
            ? Optional.empty()
            : Optional.of(dir + " is a file, not a directory");
      }
    }
    return Optional.empty();
  }

  /** Runs {@code open}, retrying it while it fails transiently and {@link #RETRY_FOR} lasts. */
  static <T> T withRetries(Supplier<T> open) {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(1));
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    while (true) {
      try {
        return open.get();
      } catch (RuntimeException e) {
        Duration delay = backoff.nextDelay();
        if (!isTransient(e) || System.nanoTime() + delay.toNanos() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Whether the failure is another process opening, closing or serving the file right now. */
  static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException && t.getCause() == null) {
        return true; // the pool could not get a connection in time, for no other reason
      }
      if (t instanceof SQLException sql && TRANSIENT_H2_CODES.contains(sql.getErrorCode())) {
        String message = String.valueOf(sql.getMessage()).toLowerCase(Locale.ROOT);
        if (sql.getErrorCode() != 8000
            || message.contains("lock")
            || message.contains("connect")
            || message.contains("concurrent update")
            || message.contains("another process was faster")) {
          return true;
        }
      }
      if (t instanceof java.net.ConnectException) {
        return true; // the lock file names a server that just stopped
      }
    }
    return false;
  }
}
