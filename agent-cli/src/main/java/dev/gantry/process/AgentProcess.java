package dev.gantry.process;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.launch.Launcher;
import dev.gantry.schedule.FlowScheduler;
import dev.gantry.supervision.SecretSource;
import java.io.IOException;
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
  public record Settings(boolean scheduler, String healthBind, int healthPort, boolean daemon) {

    /** An agent inside a command that stops it itself: no scheduler, health, signals or hook. */
    public static Settings embedded() {
      return new Settings(false, null, -1, false);
    }
  }

  private final Agent agent;
  private FlowScheduler schedules;
  private HealthServer health;

  private AgentProcess(Agent agent, FlowScheduler schedules) {
    this.agent = agent;
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
    Agent agent = new Agent(gantry.backend(), launcher, options, secrets);
    AgentProcess process = new AgentProcess(agent, startSchedules(gantry, settings));
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
      HealthServer health = HealthServer.start(agent, settings.healthBind(), settings.healthPort());
      synchronized (process) {
        process.health = health;
      }
      LoggerFactory.getLogger(AgentProcess.class)
          .info(
              "health endpoints on {}:{}/health/{{live,ready}}",
              settings.healthBind(),
              health.port());
    }
    return process;
  }

  /** Starts firing flow schedules in this process, if the settings ask for it. */
  private static FlowScheduler startSchedules(DatabaseGantryClient gantry, Settings settings) {
    if (!settings.scheduler() || !(gantry.backend() instanceof JdbcBackend jdbc)) {
      return null;
    }
    return FlowScheduler.start(jdbc, jdbc.dataSource(), FlowScheduler.Options.defaults());
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
  }
}
