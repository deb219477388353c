package dev.gantry.cli;

import dev.gantry.agent.AgentOptions;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.LauncherProvider;
import dev.gantry.process.AgentProcess;
import dev.gantry.secrets.BackendSecretSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every {@code gantry agent start KIND} shares; each launcher kind subclasses it with
 * its own options, mapped to the settings its {@link LauncherProvider} makes a {@link Launcher}
 * from. Runs an {@link AgentProcess} until SIGTERM/SIGINT, then stops gracefully.
 */
public abstract class AgentStartCommand<S> implements Callable<Integer> {
  @Mixin protected BackendOptions backend;

  @Mixin protected AgentPolicyOptions policy;

  @Option(
      names = {"-l", "--label"},
      paramLabel = "LABEL",
      description =
          "A label of this agent; it takes only runs whose labels are all among its labels."
              + " Repeat for several.")
  protected List<String> labels = new ArrayList<>();

  @Option(names = "--name", paramLabel = "NAME", description = "Agent name (default KIND@HOST).")
  protected String name;

  @Option(
      names = "--max-concurrent",
      defaultValue = "4",
      paramLabel = "N",
      description = "Most runs at once; it claims only for free slots (default ${DEFAULT-VALUE}).")
  protected int maxConcurrent;

  @Option(
      names = "--poll-interval",
      defaultValue = "1s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Wait between polls when idle (default ${DEFAULT-VALUE}).")
  protected Duration pollInterval;

  @Option(
      names = "--max-backoff",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest wait after repeated backend errors (default ${DEFAULT-VALUE}).")
  protected Duration maxBackoff;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "5s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How often the agent renews its heartbeat (default ${DEFAULT-VALUE}).")
  protected Duration heartbeatInterval;

  @Option(
      names = "--orphan-timeout",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "The lease on each run this agent supervises, renewed with every heartbeat: once an"
              + " agent's leases expire, another agent takes its runs over or ends them"
              + " (default ${DEFAULT-VALUE}).")
  protected Duration orphanTimeout;

  @Option(
      names = "--grace-period",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "On SIGTERM, how long running runs may take to finish (default ${DEFAULT-VALUE}).")
  protected Duration gracePeriod;

  @Option(
      names = "--cancel-grace",
      defaultValue = "10s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a cancelled run may take to stop before it is killed (default ${DEFAULT-VALUE}).")
  protected Duration cancelGrace;

  @Option(
      names = "--health-port",
      paramLabel = "PORT",
      defaultValue = "-1",
      description =
          "Serve /health/live and /health/ready on this port (default: off; the Kubernetes"
              + " manifest uses 8080).")
  protected int healthPort;

  @Option(
      names = "--health-bind",
      paramLabel = "ADDRESS",
      defaultValue = "0.0.0.0",
      description = "Address the health endpoints listen on (default ${DEFAULT-VALUE}).")
  protected String healthBind;

  @Option(
      names = "--no-scheduler",
      negatable = true,
      defaultValue = "true",
      description =
          "Fire flow schedules in this agent (default on; several agents share the work, each fire"
              + " creates one run). --no-scheduler leaves it to other agents.")
  protected boolean scheduler;

  /** The launcher kind, as in {@code gantry agent start KIND}. */
  protected abstract String kind();

  /** The type of the kind's launcher settings. */
  protected abstract Class<S> settingsType();

  /** The launcher settings these options describe; throws naming a malformed option. */
  public abstract S settings();

  /**
   * Creates the launcher from the kind's options, through the kind's installed provider, held to
   * this agent's policy and its runs' timeouts.
   */
  protected Launcher createLauncher() {
    LaunchPolicy bounds = policy.policy();
    return new BoundedLauncher(
        LauncherProvider.find(kind(), settingsType()).create(settings()), bounds, cancelGrace);
  }

  protected AgentOptions agentOptions() {
    return new AgentOptions(
        name != null ? name : kind() + "@" + Local.hostName(),
        new LinkedHashSet<>(labels),
        maxConcurrent,
        pollInterval,
        maxBackoff,
        heartbeatInterval,
        orphanTimeout,
        gracePeriod,
        cancelGrace);
  }

  /**
   * Fails with one line when the kind's platform is plainly missing, before anything starts; a kind
   * whose platform can be checked overrides it.
   */
  protected void checkPlatform() {}

  /**
   * Fails with one line when one of the agent's own defaults for runs (a kind's {@code --memory},
   * {@code --cpus}) is above its policy's limit, since every run left to that default would be
   * refused; a kind with such defaults overrides it.
   */
  protected void checkDefaultsWithinPolicy() {}

  @Override
  public Integer call() throws java.io.IOException {
    AgentOptions options = agentOptions();
    checkDefaultsWithinPolicy();
    checkPlatform();
    try (DatabaseGantryClient gantry = backend.open();
        Launcher launcher = createLauncher()) {
      AgentProcess process =
          AgentProcess.start(
              gantry,
              launcher,
              options,
              BackendSecretSource.of(gantry.backend(), gantry.home().dir()),
              new AgentProcess.Settings(scheduler, healthBind, healthPort, true));
      process.awaitStopped();
    }
    return 0;
  }
}
