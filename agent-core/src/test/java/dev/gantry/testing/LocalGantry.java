package dev.gantry.testing;

import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Gantry home with its embedded backend, a client, and local agents running real child JVMs: the
 * whole local path, for end-to-end tests.
 */
public final class LocalGantry implements AutoCloseable {
  /** Child JVM options that keep test runs quick and small. */
  public static final List<String> CHILD_JVM =
      List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

  public final GantryHome home;
  public final DatabaseGantryClient client;
  public final LocalLauncher launcher = new LocalLauncher(CHILD_JVM);
  private final List<Agent> agents = new ArrayList<>();

  public LocalGantry(Path dir) {
    this(dir, JdbcBackend.embeddedUrl(dir));
  }

  public LocalGantry(Path dir, String databaseUrl) {
    this.home = new GantryHome(dir);
    this.client = GantryClient.open(home, databaseUrl);
  }

  public RegisteredFlow registerExample(String factory) {
    return client.register(Registration.of(ExamplesJar.path(), factory));
  }

  /** Options for a quick test agent with the host label local storage adds. */
  public static AgentOptions quickOptions(String name) {
    return AgentOptions.defaults(name, Set.of(Local.hostName()))
        .withPollInterval(Duration.ofMillis(100))
        .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
        .withCancelGrace(Duration.ofSeconds(5));
  }

  public Agent startAgent(AgentOptions options) {
    Agent agent = new Agent(client.backend(), launcher, options, SecretSource.NONE);
    agents.add(agent);
    agent.start();
    return agent;
  }

  public FlowRun run(String flow, Map<String, String> parameters) {
    return client.createRun(flow, parameters, Set.of());
  }

  public FlowRun find(String runId) {
    return client.backend().runs().find(runId).orElseThrow();
  }

  /** Waits until the run is in {@code state} and returns it. */
  public FlowRun awaitState(String runId, RunState state, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> find(runId).state(), s -> s == state);
    return find(runId);
  }

  /** Waits until the run ended and returns it. */
  public FlowRun awaitEnd(String runId, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> find(runId).state().isTerminal());
    return find(runId);
  }

  @Override
  public void close() {
    agents.forEach(Agent::stop);
    launcher.close();
    client.close();
  }
}
