package dev.gantry.backend.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gantry.backend.AgentStore;
import dev.gantry.backend.ApiTokenStore;
import dev.gantry.backend.AuditStore;
import dev.gantry.backend.Backend;
import dev.gantry.backend.BackendException;
import dev.gantry.backend.BundleStore;
import dev.gantry.backend.FlowStore;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunSignalSubscription;
import dev.gantry.backend.RunStore;
import dev.gantry.backend.ScheduleFireStore;
import dev.gantry.backend.SecretStore;
import dev.gantry.backend.jdbc.Database.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The backend on a relational database reached through JDBC: an embedded H2 file database or
 * PostgreSQL. Opening it creates a small connection pool (HikariCP) and brings the schema up to
 * date with the Flyway migrations in {@code classpath:db/migration}. On PostgreSQL, {@link
 * #subscribe} listens for {@link RunSignal}s on a connection of its own.
 */
public final class JdbcBackend implements Backend {

  private static final String H2_PREFIX = "jdbc:h2:";
  private static final String POSTGRES_PREFIX = "jdbc:postgresql:";
  private static final String H2_BIND_ADDRESS = "h2.bindAddress";
  private static final String CHECK_SETTINGS = "; check --db / GANTRY_DB_URL";

  private static final int H2_POOL_SIZE = 4;
  private static final int POSTGRES_POOL_SIZE = 8;

  /** How long opening or borrowing a connection may take before it fails with a clear error. */
  private static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

  private static final long H2_CONNECTION_TIMEOUT_MILLIS = 15_000;

  private static final int REACHABLE_TIMEOUT_SECONDS = 2;

  private final HikariDataSource pool;
  private final String jdbcUrl;
  private final Dialect dialect;
  private final JdbcFlowStore flows;
  private final JdbcRunStore runs;
  private final JdbcAgentStore agents;
  private final JdbcSecretStore secrets;
  private final JdbcApiTokenStore tokens;
  private final JdbcAuditStore audit;
  private final JdbcRunSearch runSearch;
  private final JdbcBundleStore bundles;
  private final JdbcScheduleFireStore scheduleFires;

  private JdbcBackend(HikariDataSource pool, String jdbcUrl, Dialect dialect, Clock clock) {
    this.pool = pool;
    this.jdbcUrl = jdbcUrl;
    this.dialect = dialect;
    Database db = new Database(pool, clock, dialect);
    this.flows = new JdbcFlowStore(db);
    this.runs = new JdbcRunStore(db);
    this.agents = new JdbcAgentStore(db);
    this.secrets = new JdbcSecretStore(db);
    this.tokens = new JdbcApiTokenStore(db);
    this.audit = new JdbcAuditStore(db);
    this.runSearch = new JdbcRunSearch(db);
    this.bundles = new JdbcBundleStore(db);
    this.scheduleFires = new JdbcScheduleFireStore(db);
  }

  /**
   * Opens the database at {@code jdbcUrl} ({@code jdbc:h2:file:...} or {@code
   * jdbc:postgresql://...}) and migrates its schema.
   *
   * @throws BackendException naming the URL (without its password) and the reason, when the
   *     database cannot be reached or migrated
   */
  public static JdbcBackend open(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    String lowerCaseUrl = jdbcUrl.toLowerCase(Locale.ROOT);
    boolean h2 = lowerCaseUrl.startsWith(H2_PREFIX);
    if (!h2 && !lowerCaseUrl.startsWith(POSTGRES_PREFIX)) {
      throw new BackendException(
          "cannot open the Gantry database at "
              + JdbcUrls.redact(jdbcUrl)
              + ": not an H2 or PostgreSQL URL (jdbc:h2:file:PATH or"
              + " jdbc:postgresql://HOST:PORT/DATABASE)"
              + CHECK_SETTINGS);
    }
    if (h2) {
      keepEmbeddedServerOnLoopback();
      Optional<String> impossible = EmbeddedOpen.impossiblePath(jdbcUrl);
      if (impossible.isPresent()) {
        throw new BackendException(
            "cannot open the Gantry database at "
                + JdbcUrls.redact(jdbcUrl)
                + ": "
                + impossible.get()
                + CHECK_SETTINGS);
      }
      return EmbeddedOpen.withRetries(() -> openOnce(jdbcUrl, true));
    }
    return openOnce(jdbcUrl, false);
  }

  private static JdbcBackend openOnce(String jdbcUrl, boolean h2) {
    HikariDataSource pool = null;
    try {
      pool = new HikariDataSource(poolConfig(jdbcUrl, h2));
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
      return new JdbcBackend(pool, jdbcUrl, h2 ? Dialect.H2 : Dialect.POSTGRES, Clock.systemUTC());
    } catch (RuntimeException e) {
      if (pool != null) {
        pool.close();
      }
      throw new BackendException(
          "cannot open the Gantry database at "
              + JdbcUrls.redact(jdbcUrl)
              + ": "
              + JdbcUrls.describe(e, jdbcUrl)
              + CHECK_SETTINGS,
          e);
    }
  }

  /**
   * H2's automatic mixed mode serves the file on a TCP port of every interface, guarded only by a
   * random key in the lock file. Other Gantry processes on this machine are the only clients, so
   * bind it to the loopback interface, unless the JVM was started with its own {@code
   * h2.bindAddress}. H2 reads the property once, when its classes load.
   */
  private static void keepEmbeddedServerOnLoopback() {
    if (System.getProperty(H2_BIND_ADDRESS) == null) {
      System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
    }
  }

  /**
   * The embedded database under the Gantry home: an H2 file database that several local processes
   * (an agent and CLI commands) use at once. {@code AUTO_SERVER=TRUE} is what makes that work: the
   * first process opens the file and serves it over a local TCP port recorded in the lock file;
   * later processes find the port there and connect as clients, and when the first one exits
   * another takes over the file.
   */
  public static String embeddedUrl(Path home) {
    Path database = home.toAbsolutePath().normalize().resolve("db").resolve("gantry");
    return "jdbc:h2:file:" + database + ";AUTO_SERVER=TRUE";
  }

  private static HikariConfig poolConfig(String jdbcUrl, boolean h2) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("gantry-backend");
    config.setJdbcUrl(jdbcUrl);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    config.setValidationTimeout(REACHABLE_TIMEOUT_SECONDS * 1_000L);
    config.setMinimumIdle(1);
    if (h2) {
      config.setMaximumPoolSize(H2_POOL_SIZE);
      // A connection to a file another process is handing over can take seconds; wait for it
      // longer than on PostgreSQL, and let the open's own retries (EmbeddedOpen) handle the rest.
      config.setConnectionTimeout(H2_CONNECTION_TIMEOUT_MILLIS);
      // H2 closes a database when its last connection closes, and the process that opened it
      // stops serving it to the others. Keep one connection for the backend's whole life.
      config.setMaxLifetime(0);
      if (!jdbcUrl.toUpperCase(Locale.ROOT).contains(";USER=")) {
        // H2's conventional administrator, so the H2 shell and console can open the file too.
        config.setUsername("sa");
        config.setPassword("");
      }
    } else {
      config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
    }
    return config;
  }

  @Override
  public FlowStore flows() {
    return flows;
  }

  @Override
  public RunStore runs() {
    return runs;
  }

  @Override
  public AgentStore agents() {
    return agents;
  }

  @Override
  public SecretStore secrets() {
    return secrets;
  }

  @Override
  public RunSearch runSearch() {
    return runSearch;
  }

  @Override
  public ApiTokenStore tokens() {
    return tokens;
  }

  @Override
  public AuditStore audit() {
    return audit;
  }

  @Override
  public BundleStore bundles() {
    return bundles;
  }

  @Override
  public ScheduleFireStore scheduleFires() {
    return scheduleFires;
  }

  @Override
  public boolean isReachable() {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(REACHABLE_TIMEOUT_SECONDS);
      statement.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * On PostgreSQL: a dedicated connection (outside the pool) that LISTENs for the signals the
   * stores send with each run creation, rescheduling and cancel request, reconnecting with backoff
   * when it is lost. On H2: nothing arrives; agents poll.
   */
  @Override
  public RunSignalSubscription subscribe(String subscriber, Consumer<RunSignal> listener) {
    if (dialect != Dialect.POSTGRES) {
      return RunSignalSubscription.NONE;
    }
    return PostgresRunSignals.start(jdbcUrl, subscriber, listener);
  }

  /** Whether this is PostgreSQL (else the embedded H2). */
  public boolean isPostgres() {
    return dialect == Dialect.POSTGRES;
  }

  /** The pooled connections, for components that keep their own tables here (Quartz). */
  public DataSource dataSource() {
    return pool;
  }

  @Override
  public void close() {
    pool.close();
  }
}
