package dev.gantry.schedule;

import static org.quartz.CronScheduleBuilder.cronSchedule;
import static org.quartz.JobBuilder.newJob;
import static org.quartz.SimpleScheduleBuilder.simpleSchedule;
import static org.quartz.TriggerBuilder.newTrigger;

import dev.gantry.backend.Backend;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.metrics.ScheduleMeters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.Trigger.TriggerState;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires flow schedules with Quartz: a JDBC job store in the Gantry database (tables {@code qrtz_*},
 * created by Flyway), clustered, so any number of agents run a scheduler and each fire executes on
 * one of them; the store's one-run-per-fire rule covers the rest. The flows' schedules are the
 * truth: every scheduler brings Quartz's triggers in line with them at start and then every {@link
 * Options#syncInterval()}, and each fire checks the pause flag again.
 *
 * <p>Misfires (a fire missed by more than {@link Options#misfireThreshold()}, e.g. while every
 * scheduler was down): a cron schedule fires once at once and then continues on its schedule; an
 * interval schedule fires once at once and continues every interval from then. See
 * docs/schedules.md.
 */
public final class FlowScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlowScheduler.class);

  /** Quartz's scheduler name: the same for all, which is what makes them one cluster. */
  public static final String CLUSTER_NAME = "gantry";

  private static final String GROUP = "gantry-flows";

  /** How long closing waits for Quartz to hand back the triggers it holds. */
  private static final Duration HAND_BACK_LIMIT = Duration.ofSeconds(3);

  /** Data sources handed to Quartz's connection manager, by the name each scheduler gave it. */
  private static final Map<String, DataSource> DATA_SOURCES = new ConcurrentHashMap<>();

  /**
   * How a scheduler behaves.
   *
   * @param threads Quartz's worker threads: a fire only inserts a run, so two are plenty
   * @param syncInterval how often the triggers are brought in line with the flows' schedules
   * @param misfireThreshold how late a fire may be before it counts as misfired
   * @param clusterCheckin how often the scheduler checks in with the cluster; a scheduler silent
   *     for longer has its in-flight fires recovered by another
   */
  public record Options(
      int threads, Duration syncInterval, Duration misfireThreshold, Duration clusterCheckin) {
    public Options {
      if (threads < 1) {
        throw new IllegalArgumentException("a scheduler needs at least one thread");
      }
      Objects.requireNonNull(syncInterval, "syncInterval");
      Objects.requireNonNull(misfireThreshold, "misfireThreshold");
      Objects.requireNonNull(clusterCheckin, "clusterCheckin");
    }

    public static Options defaults() {
      return new Options(2, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(7));
    }

    public Options withMisfireThreshold(Duration value) {
      return new Options(threads, syncInterval, value, clusterCheckin);
    }

    public Options withSyncInterval(Duration value) {
      return new Options(threads, value, misfireThreshold, clusterCheckin);
    }
  }

  private final Backend backend;
  private final Scheduler scheduler;
  private final String dataSourceName;
  private final ScheduledExecutorService sync;

  private FlowScheduler(Backend backend, Scheduler scheduler, String dataSourceName) {
    this.backend = backend;
    this.scheduler = scheduler;
    this.dataSourceName = dataSourceName;
    this.sync =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gantry-schedule-sync");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a scheduler on the backend's database: brings the triggers in line with the flows'
   * schedules, then fires them.
   *
   * @param dataSource the backend's pooled connections, where the {@code qrtz_*} tables are
   */
  public static FlowScheduler start(Backend backend, DataSource dataSource, Options options) {
    return start(backend, dataSource, options, ScheduleMeters.none());
  }

  /**
   * Starts a scheduler as {@link #start(Backend, DataSource, Options)} does, counting its fires in
   * {@code meters}.
   */
  public static FlowScheduler start(
      Backend backend, DataSource dataSource, Options options, ScheduleMeters meters) {
    String dataSourceName = "gantry-" + UUID.randomUUID();
    DATA_SOURCES.put(dataSourceName, dataSource);
    DBConnectionManager.getInstance()
        .addConnectionProvider(dataSourceName, new PooledConnections(dataSourceName));
    Scheduler scheduler = null;
    try {
      scheduler = create(dataSourceName, options);
      scheduler.setJobFactory((bundle, owner) -> new ScheduledRunJob(backend, meters));
      scheduler
          .getListenerManager()
          .addTriggerListener(new MisfiredFires(meters), GroupMatcher.triggerGroupEquals(GROUP));
      FlowScheduler flowScheduler = new FlowScheduler(backend, scheduler, dataSourceName);
      flowScheduler.sync();
      scheduler.start();
      long every = options.syncInterval().toMillis();
      flowScheduler.sync.scheduleWithFixedDelay(
          flowScheduler::syncQuietly, every, every, TimeUnit.MILLISECONDS);
      log.info(
          "schedules: Quartz scheduler {} started (clustered, {} threads)",
          scheduler.getSchedulerInstanceId(),
          options.threads());
      return flowScheduler;
    } catch (SchedulerException | RuntimeException e) {
      if (scheduler != null) {
        try {
          scheduler.shutdown(false);
        } catch (SchedulerException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      DATA_SOURCES.remove(dataSourceName);
      throw new IllegalStateException("cannot start the schedules: " + e.getMessage(), e);
    }
  }

  /**
   * Quartz keeps one scheduler per name in a JVM-wide repository and would hand back the first;
   * each Gantry scheduler is its own cluster member, so it is taken out of the repository at once.
   */
  private static synchronized Scheduler create(String dataSourceName, Options options)
      throws SchedulerException {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", CLUSTER_NAME);
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty(
        "org.quartz.scheduler.threadName", "gantry-schedule-" + dataSourceName.substring(7, 15));
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(options.threads()));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "gantry-schedule-fire");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    // Reads the BYTEA columns with getBytes, which H2 and PostgreSQL both answer.
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval",
        Long.toString(options.clusterCheckin().toMillis()));
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold",
        Long.toString(options.misfireThreshold().toMillis()));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    SchedulerRepository.getInstance().remove(CLUSTER_NAME);
    return scheduler;
  }

  /** Brings Quartz's triggers in line with the flows' schedules and pause flags. */
  public synchronized void sync() throws SchedulerException {
    List<ScheduledFlow> wanted = backend.flows().scheduled();
    Set<JobKey> known = new HashSet<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP)));
    for (ScheduledFlow flow : wanted) {
      JobKey job = JobKey.jobKey(flow.name(), GROUP);
      TriggerKey key = TriggerKey.triggerKey(flow.name(), GROUP);
      known.remove(job);
      Trigger current = scheduler.getTrigger(key);
      if (current == null || !firesAsScheduled(current, flow.schedule())) {
        JobDetail detail =
            newJob(ScheduledRunJob.class)
                .withIdentity(job)
                .withDescription("creates a run of flow " + flow.name())
                .requestRecovery(true)
                .build();
        scheduler.scheduleJob(detail, Set.of(trigger(key, flow.schedule())), true);
        log.info("schedule of flow '{}': {}", flow.name(), flow.schedule().describe());
      }
      boolean paused = scheduler.getTriggerState(key) == TriggerState.PAUSED;
      if (flow.paused() && !paused) {
        scheduler.pauseTrigger(key);
        log.info("schedule of flow '{}' paused", flow.name());
      } else if (!flow.paused() && paused) {
        // A fresh trigger, not resumeTrigger: Quartz would make up the fires missed while paused.
        scheduler.rescheduleJob(key, trigger(key, flow.schedule()));
        log.info("schedule of flow '{}' resumed", flow.name());
      }
    }
    for (JobKey gone : known) {
      if (scheduler.deleteJob(gone)) {
        log.info("schedule of flow '{}' removed: its newest version has none", gone.getName());
      }
    }
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (SchedulerException | RuntimeException e) {
      log.warn("schedules: bringing the triggers in line with the flows failed: {}", e.toString());
    }
  }

  private static boolean firesAsScheduled(Trigger trigger, FlowSchedule schedule) {
    if (schedule.cron() != null) {
      return trigger instanceof CronTrigger cron
          && schedule.cron().equals(cron.getCronExpression())
          && CronSchedules.ZONE.getID().equals(cron.getTimeZone().getID());
    }
    return trigger instanceof SimpleTrigger simple
        && simple.getRepeatCount() == SimpleTrigger.REPEAT_INDEFINITELY
        && simple.getRepeatInterval() == schedule.interval().toMillis();
  }

  /**
   * The trigger of a schedule, with the misfire policy of docs/schedules.md: fire once now, then
   * continue. An interval schedule first fires one interval from now.
   */
  static Trigger trigger(TriggerKey key, FlowSchedule schedule) {
    if (schedule.cron() != null) {
      return newTrigger()
          .withIdentity(key)
          .forJob(key.getName(), GROUP)
          .withSchedule(
              cronSchedule(schedule.cron())
                  .inTimeZone(CronSchedules.ZONE)
                  .withMisfireHandlingInstructionFireAndProceed())
          .startNow()
          .build();
    }
    long intervalMillis = schedule.interval().toMillis();
    return newTrigger()
        .withIdentity(key)
        .forJob(key.getName(), GROUP)
        .withSchedule(
            simpleSchedule()
                .withIntervalInMilliseconds(intervalMillis)
                .repeatForever()
                .withMisfireHandlingInstructionNowWithExistingCount())
        .startAt(Date.from(Instant.now().plusMillis(intervalMillis)))
        .build();
  }

  /** When the flow's schedule fires next, or null when it has no trigger or none to come. */
  public Instant nextFire(String flowName) throws SchedulerException {
    Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey(flowName, GROUP));
    Date next = trigger == null ? null : trigger.getNextFireTime();
    return next == null ? null : next.toInstant();
  }

  /**
   * Stops firing; waits for fires in progress to create their runs. Quartz holds the next trigger
   * while it waits for its fire time, and a scheduler shut down meanwhile keeps it until the
   * cluster declares the scheduler dead (about 15 s later), delaying that schedule for all. So the
   * scheduler first stands by, which makes Quartz hand held triggers back, and closes once it has.
   */
  @Override
  public void close() {
    sync.shutdownNow();
    try {
      scheduler.standby();
      awaitTriggersHandedBack(scheduler.getSchedulerInstanceId());
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("schedules: stopping the Quartz scheduler failed: {}", e.toString());
    } finally {
      DATA_SOURCES.remove(dataSourceName);
    }
  }

  private void awaitTriggersHandedBack(String instanceId) {
    long deadline = System.nanoTime() + HAND_BACK_LIMIT.toNanos();
    try (Connection c = DATA_SOURCES.get(dataSourceName).getConnection();
        PreparedStatement held =
            c.prepareStatement(
                "SELECT COUNT(*) FROM qrtz_fired_triggers WHERE sched_name = ?"
                    + " AND instance_name = ?")) {
      held.setString(1, CLUSTER_NAME);
      held.setString(2, instanceId);
      while (System.nanoTime() < deadline) {
        try (ResultSet row = held.executeQuery()) {
          row.next();
          if (row.getInt(1) == 0) {
            return;
          }
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      log.warn(
          "schedules: Quartz scheduler {} still held triggers after {} ms; the cluster recovers"
              + " them",
          instanceId,
          HAND_BACK_LIMIT.toMillis());
    } catch (SQLException e) {
      log.warn("schedules: cannot see whether triggers were handed back: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Quartz's view of the backend's pool; forgets it once the scheduler is closed. */
  private static final class PooledConnections implements ConnectionProvider {
    private final String name;

    PooledConnections(String name) {
      this.name = name;
    }

    @Override
    public Connection getConnection() throws SQLException {
      DataSource dataSource = DATA_SOURCES.get(name);
      if (dataSource == null) {
        throw new SQLException("the schedules of " + name + " are closed");
      }
      return dataSource.getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }
}
