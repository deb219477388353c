package dev.gantry.docker;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Gantry home with its embedded backend and in-process agents whose runs are real containers of
 * the Gantry image, built from the repository's Dockerfile on the local base image.
 */
final class DockerGantry implements AutoCloseable {
  static final Duration RUN_TIME = Duration.ofSeconds(90);

  final LocalGantry local;
  final String image;
  private final List<Agent> agents = new ArrayList<>();
  private final List<DockerLauncher> launchers = new ArrayList<>();

  DockerGantry(Path dir) {
    this.image = GantryImage.ensureBuilt();
    this.local = new LocalGantry(dir);
  }

  /** Starts an agent with the host label (local storage's) plus {@code extraLabels}. */
  Agent startAgent(String name, Set<String> extraLabels, DockerSettings settings) {
    return startAgent(name, extraLabels, settings, SecretSource.NONE);
  }

  /**
   * As {@link #startAgent(String, Set, DockerSettings)}, resolving secrets from {@code secrets}.
   */
  Agent startAgent(
      String name, Set<String> extraLabels, DockerSettings settings, SecretSource secrets) {
    DockerLauncher launcher = new DockerLauncher(settings);
    launchers.add(launcher);
    AgentOptions quick = LocalGantry.quickOptions(name);
    Set<String> labels = new LinkedHashSet<>(quick.labels());
    labels.addAll(extraLabels);
    AgentOptions options =
        new AgentOptions(
            name,
            labels,
            8,
            quick.pollInterval(),
            quick.maxBackoff(),
            quick.heartbeatInterval(),
            quick.orphanTimeout(),
            quick.gracePeriod(),
            quick.cancelGrace());
    Agent agent = new Agent(local.client.backend(), launcher, options, secrets);
    agents.add(agent);
    agent.start();
    return agent;
  }

  /** A run of the flow's newest version that only agents with {@code label} take. */
  FlowRun runFor(String label, String flow, Map<String, String> parameters) {
    return local.client.createRun(flow, parameters, Set.of(label));
  }

  /** The id of the run's container, once it exists. */
  String awaitContainer(String runId) {
    return org.awaitility.Awaitility.await()
        .atMost(RUN_TIME)
        .until(() -> TestDocker.containerOfRun(runId), java.util.Optional::isPresent)
        .orElseThrow()
        .getId();
  }

  @Override
  public void close() {
    agents.forEach(Agent::stop);
    launchers.forEach(DockerLauncher::close);
    local.close();
    TestDocker.removeGantryContainers();
  }
}
