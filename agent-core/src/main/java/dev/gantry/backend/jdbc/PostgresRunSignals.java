package dev.gantry.backend.jdbc;

import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunSignalSubscription;
import dev.gantry.retry.Backoff;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on {@value Database#SIGNAL_CHANNEL} over one connection of its own, outside the pool (a
 * pooled connection would be handed to others and reset), and hands each notification to the
 * subscriber. A lost connection is re-established with a {@link Backoff}; after each (re)connect
 * the subscriber gets one of each signal, since notifications sent while nobody listened are gone.
 */
final class PostgresRunSignals implements RunSignalSubscription {
  private static final Logger log = LoggerFactory.getLogger(PostgresRunSignals.class);

  /** How long one wait for notifications blocks before the loop checks whether it should stop. */
  private static final int RECEIVE_MILLIS = 500;

  /** A connection silent for this long is checked, so a dead peer is noticed. */
  private static final Duration CHECK_SILENT_AFTER = Duration.ofSeconds(10);

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final int CONNECT_TIMEOUT_SECONDS = 5;
  private static final int CHECK_TIMEOUT_SECONDS = 3;

  private final String jdbcUrl;
  private final String subscriber;
  private final Consumer<RunSignal> listener;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean listening;

  private PostgresRunSignals(String jdbcUrl, String subscriber, Consumer<RunSignal> listener) {
    this.jdbcUrl = jdbcUrl;
    this.subscriber = subscriber;
    this.listener = listener;
    this.thread = new Thread(this::listenUntilClosed, "gantry-run-signals");
    this.thread.setDaemon(true);
  }

  static PostgresRunSignals start(String jdbcUrl, String subscriber, Consumer<RunSignal> listener) {
    PostgresRunSignals signals = new PostgresRunSignals(jdbcUrl, subscriber, listener);
    signals.thread.start();
    return signals;
  }

  @Override
  public boolean isListening() {
    return listening;
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void listenUntilClosed() {
    Backoff backoff = Backoff.exponential(FIRST_BACKOFF, MAX_BACKOFF);
    boolean everConnected = false;
    while (!isClosed()) {
      try (Connection connection = connect()) {
        try (Statement listen = connection.createStatement()) {
          listen.execute("LISTEN " + Database.SIGNAL_CHANNEL);
        }
        listening = true;
        backoff.reset();
        if (everConnected) {
          log.info("{}: listening for run signals again", subscriber);
        }
        everConnected = true;
        deliver(RunSignal.DUE);
        deliver(RunSignal.CANCEL);
        receive(connection);
      } catch (SQLException | RuntimeException e) {
        if (isClosed()) {
          break;
        }
        Duration wait = backoff.nextDelay();
        log.warn(
            "{}: listening for run signals failed ({}); polling meanwhile, reconnecting in {} ms",
            subscriber,
            oneLine(e),
            wait.toMillis());
        awaitClose(wait);
      } finally {
        listening = false;
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "gantry signals: " + subscriber);
    Connection connection = DriverManager.getConnection(jdbcUrl, properties);
    connection.setAutoCommit(true);
    return connection;
  }

  /** Hands notifications to the subscriber until closed; throws when the connection fails. */
  private void receive(Connection connection) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    long silentSince = System.nanoTime();
    while (!isClosed()) {
      PGNotification[] notifications = pg.getNotifications(RECEIVE_MILLIS);
      if (notifications != null && notifications.length > 0) {
        silentSince = System.nanoTime();
        for (PGNotification notification : notifications) {
          parse(notification.getParameter()).ifPresent(this::deliver);
        }
      } else if (System.nanoTime() - silentSince > CHECK_SILENT_AFTER.toNanos()) {
        if (!connection.isValid(CHECK_TIMEOUT_SECONDS)) {
          throw new SQLException("the listening connection no longer answers");
        }
        silentSince = System.nanoTime();
      }
    }
  }

  private static Optional<RunSignal> parse(String payload) {
    try {
      return Optional.of(RunSignal.valueOf(payload));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty(); // sent by a newer Gantry: polling covers it
    }
  }

  private void deliver(RunSignal signal) {
    try {
      listener.accept(signal);
    } catch (RuntimeException e) {
      log.warn("{}: handling run signal {} failed: {}", subscriber, signal, e.toString());
    }
  }

  private void awaitClose(Duration wait) {
    try {
      closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.countDown();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      thread.join(RECEIVE_MILLIS * 4L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ');
  }
}
