package dev.gantry.process;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.launch.Launcher;
import dev.gantry.metrics.AgentMetrics;
import dev.gantry.metrics.ProcessMeters;
import dev.gantry.metrics.RunGauges;
import dev.gantry.metrics.ScheduleMeters;
import dev.gantry.schedule.FlowScheduler;
import dev.gantry.supervision.SecretSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * The composition root of an agent in this JVM: wires the backend, the agent, the flow scheduler,
 * the health server, the stop signals and the shutdown hook, once, for {@code gantry agent start},
 * {@code demo} and {@code bench}. The caller owns the client and the launcher and closes them after
 * this.
 *
 * <p>Stop order: a SIGTERM/SIGINT closes the schedules, then stops the agent, before the JVM's
 * shutdown hooks run (see {@link StopSignals}), so no new runs come from this process while it
 * stops. {@link #awaitStopped()} returns only once the schedules are closed too: the caller closes
 * the client (and its database pool) after it, never under a running scheduler.
 */
public final class AgentProcess implements AutoCloseable {

  /**
   * What the process adds around the agent.
   *
   * @param scheduler fire flow schedules here (needs a JDBC backend)
   * @param healthBind address of the health endpoints
   * @param healthPort port of the health endpoints; negative for none
   * @param daemon stop on SIGTERM/SIGINT and at JVM shutdown (an agent that is the process)
   */
  public record Settings(
      boolean scheduler,
      String healthBind,
      int healthPort,
      boolean daemon,
      PrometheusMeterRegistry metrics) {

    public Settings(boolean scheduler, String healthBind, int healthPort, boolean daemon) {
      this(scheduler, healthBind, healthPort, daemon, null);
    }

    /** An agent inside a command that stops it itself: no scheduler, health, signals or hook. */
    public static Settings embedded() {
      return new Settings(false, null, -1, false);
    }

    /** The same, counting into {@code registry} (shared with a server in this process). */
    public Settings withMetrics(PrometheusMeterRegistry registry) {
      return new Settings(scheduler, healthBind, healthPort, daemon, registry);
    }
  }

  /** A Scheduled run this long past due counts as late in {@code gantry_runs{state="late"}}. */
  static final Duration LATE_AFTER = Duration.ofSeconds(30);

  /** How often the run gauges read the database (a scrape never does). */
  static final Duration GAUGE_REFRESH = Duration.ofSeconds(10);

  private final Agent agent;
  private final PrometheusMeterRegistry metrics;
  private final AutoCloseable gauges;
  private FlowScheduler schedules;
  private HealthServer health;

  private AgentProcess(
      Agent agent, PrometheusMeterRegistry metrics, AutoCloseable gauges, FlowScheduler schedules) {
    this.agent = agent;
    this.metrics = metrics;
    this.gauges = gauges;
    this.schedules = schedules;
  }

  /** Starts an agent with the given launcher on the client's backend, with what settings add. */
  public static AgentProcess start(
      DatabaseGantryClient gantry,
      Launcher launcher,
      AgentOptions options,
      SecretSource secrets,
      Settings settings)
      throws IOException {
    PrometheusMeterRegistry metrics = settings.metrics();
    if (metrics == null) {
      metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
    ProcessMeters.bind(metrics, "agent");
    Agent agent =
        new Agent(
            gantry.backend(),
            launcher,
            options,
            secrets,
            Clock.systemUTC(),
            new AgentMetrics(metrics, launcher.kind()));
    AutoCloseable gauges =
        RunGauges.register(
            gantry.backend().runSearch(),
            gantry.backend().agents(),
            metrics,
            Clock.systemUTC(),
            LATE_AFTER,
            GAUGE_REFRESH);
    AgentProcess process =
        new AgentProcess(agent, metrics, gauges, startSchedules(gantry, settings, metrics));
    if (settings.daemon()) {
      Runtime.getRuntime().addShutdownHook(new Thread(process::close, "gantry-agent-stop"));
      StopSignals.onTermination(process::stop);
    }
    try {
      agent.start();
    } catch (RuntimeException e) {
      try {
        process.close(); // the schedules stop before the caller closes the pool
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    if (settings.healthPort() >= 0) {
      HealthServer health =
          HealthServer.start(agent, metrics, settings.healthBind(), settings.healthPort());
      synchronized (process) {
        process.health = health;
      }
      LoggerFactory.getLogger(AgentProcess.class)
          .info(
              "health endpoints on {}:{}/health/{{live,ready}}, metrics on /metrics",
              settings.healthBind(),
              health.port());
    }
    return process;
  }

  /** Starts firing flow schedules in this process, if the settings ask for it. */
  private static FlowScheduler startSchedules(
      DatabaseGantryClient gantry, Settings settings, PrometheusMeterRegistry metrics) {
    if (!settings.scheduler() || !(gantry.backend() instanceof JdbcBackend jdbc)) {
      return null;
    }
    return FlowScheduler.start(
        jdbc, jdbc.dataSource(), FlowScheduler.Options.defaults(), new ScheduleMeters(metrics));
  }

  public Agent agent() {
    return agent;
  }

  /** The port the health endpoints listen on, or -1 when there are none. */
  public synchronized int healthPort() {
    return health == null ? -1 : health.port();
  }

  /**
   * Blocks until the agent has stopped (by a signal, or {@link #close()}), then closes the
   * schedules, if still open, and ends health: after it the client's pool may close.
   */
  public void awaitStopped() {
    try {
      agent.awaitStopped();
    } finally {
      closeSchedules();
      closeHealth();
    }
  }

  /** Closes the schedules, then stops the agent gracefully and ends the health endpoints. */
  @Override
  public void close() {
    stop();
    closeHealth();
  }

  /** Closes the schedules (no new runs from this process while it stops), then stops the agent. */
  private void stop() {
    closeSchedules();
    agent.stop();
  }

  private void closeSchedules() {
    FlowScheduler open;
    synchronized (this) {
      open = schedules;
      schedules = null;
    }
    if (open != null) {
      open.close();
    }
  }

  private synchronized void closeHealth() {
    if (health != null) {
      health.close();
      health = null;
    }
    try {
      gauges.close();
    } catch (Exception e) {
      LoggerFactory.getLogger(AgentProcess.class).warn("run gauges: {}", e.getMessage());
    }
  }

  /** Where this agent's meters are (served on the health port's /metrics). */
  public PrometheusMeterRegistry metrics() {
    return metrics;
  }
}
