package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunExecution;
import dev.gantry.supervision.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real engine: a flow's memory, CPUs and environment reach its container ({@code docker
 * inspect}) over the agent's defaults; privileged, host paths, added capabilities and images
 * outside the allowed prefixes are refused at launch with one line; a run past its timeout is
 * stopped and ends Failed, timed out. The runs' image is a small one built here on the local base
 * image: a script that prints its variables and waits, since these tests are about the container,
 * not the bootstrap inside it.
 */
@RequiresDocker
class DockerRunConfigTest {
  private static final String IMAGE = "gantry-test-waiter:1";
  private static final Duration STOP_GRACE = Duration.ofSeconds(2);

  @TempDir Path home;

  @BeforeAll
  static void buildWaiterImage(@TempDir Path context) throws Exception {
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM "
            + GantryImage.baseImage()
            + "\nCOPY wait.sh /wait.sh\nENTRYPOINT [\"/bin/sh\", \"/wait.sh\"]\n");
    Files.writeString(
        context.resolve("wait.sh"),
        "trap 'exit 143' TERM\necho \"MODE=$MODE AGENT_DEFAULT=$AGENT_DEFAULT\"\n"
            + "sleep 300 &\nwait\n");
    TestDocker.client()
        .buildImageCmd()
        .withBaseDirectory(context.toFile())
        .withDockerfile(context.resolve("Dockerfile").toFile())
        .withTags(Set.of(IMAGE))
        .withPull(false)
        .exec(new BuildImageResultCallback())
        .awaitImageId(5, TimeUnit.MINUTES);
  }

  @AfterEach
  void removeContainers() {
    TestDocker.removeGantryContainers();
  }

  private static DockerSettings agentSettings() {
    return DockerSettings.defaults()
        .withPull(false)
        .withDefaultImage(IMAGE)
        .withEnvironment(Map.of("AGENT_DEFAULT", "1", "MODE", "agent"))
        .withMemoryBytes(256L * 1024 * 1024)
        .withCpuMillis(500L);
  }

  private static LaunchRequest request(Map<String, String> flowSettings) {
    LaunchRequest base =
        LaunchRequests.request(UUID.randomUUID().toString(), 1, "sized", IMAGE, Map.of());
    RegisteredFlow flow = base.flow().withRunConfig(RunConfig.of(flowSettings, Map.of()));
    return new LaunchRequest(base.run(), flow, base.environment(), IMAGE, base.agentId());
  }

  @Test
  void theFlowsMemoryCpusAndEnvAreOnTheRealContainerOverTheAgentsDefaults() throws Exception {
    try (BoundedLauncher launcher =
        new BoundedLauncher(
            new DockerLauncher(agentSettings()), LaunchPolicy.DEFAULT, STOP_GRACE)) {
      LaunchRequest request = request(Map.of("memory", "300m", "cpus", "1.5", "env.MODE", "full"));

      RunExecution execution = launcher.launch(request, line -> {});

      String id = TestDocker.containerOfRun(request.runId()).orElseThrow().getId();
      InspectContainerResponse inspect = TestDocker.client().inspectContainerCmd(id).exec();
      assertThat(inspect.getHostConfig().getMemory()).isEqualTo(300L * 1024 * 1024);
      assertThat(inspect.getHostConfig().getMemorySwap()).isEqualTo(300L * 1024 * 1024);
      assertThat(inspect.getHostConfig().getNanoCPUs()).isEqualTo(1_500_000_000L);
      assertThat(inspect.getHostConfig().getPrivileged()).isFalse();
      assertThat(List.of(inspect.getConfig().getEnv()))
          .contains("MODE=full", "AGENT_DEFAULT=1")
          .doesNotContain("MODE=agent");
      launcher.cancel(request.runId(), STOP_GRACE);
      execution.exit().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutFlowSettingsTheAgentsDefaultsApply() throws Exception {
    try (BoundedLauncher launcher =
        new BoundedLauncher(
            new DockerLauncher(agentSettings()), LaunchPolicy.DEFAULT, STOP_GRACE)) {
      LaunchRequest request = request(Map.of());

      RunExecution execution = launcher.launch(request, line -> {});

      String id = TestDocker.containerOfRun(request.runId()).orElseThrow().getId();
      InspectContainerResponse inspect = TestDocker.client().inspectContainerCmd(id).exec();
      assertThat(inspect.getHostConfig().getMemory()).isEqualTo(256L * 1024 * 1024);
      assertThat(inspect.getHostConfig().getNanoCPUs()).as("--cpus 0.5").isEqualTo(500_000_000L);
      assertThat(List.of(inspect.getConfig().getEnv())).contains("MODE=agent", "AGENT_DEFAULT=1");
      launcher.cancel(request.runId(), STOP_GRACE);
      execution.exit().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void privilegedHostPathsCapabilitiesAndForeignImagesAreRefusedByDefaultWithOneLine()
      throws Exception {
    LaunchPolicy policy =
        new LaunchPolicy(
            List.of("gantry-test-"),
            512L * 1024 * 1024,
            2000L,
            Set.of(),
            false,
            false,
            false,
            false);
    try (BoundedLauncher launcher =
        new BoundedLauncher(new DockerLauncher(agentSettings()), policy, STOP_GRACE)) {
      assertRefused(
          launcher,
          request(Map.of("privileged", "true")),
          "privileged=true (flow) is refused: this agent does not allow privileged runs"
              + " (--allow-privileged)");
      assertRefused(
          launcher,
          request(Map.of("host-paths", "/etc:/host-etc")),
          "host-paths=/etc:/host-etc (flow) is refused: this agent does not allow host paths"
              + " (--allow-host-paths)");
      assertRefused(
          launcher,
          request(Map.of("cap-add", "NET_ADMIN")),
          "cap-add=NET_ADMIN (flow) is refused: this agent does not allow added capabilities"
              + " (--allow-capabilities)");
      assertRefused(
          launcher,
          request(Map.of("memory", "1g")),
          "memory=1g (flow) is above this agent's --max-memory 512m");
      assertRefused(
          launcher,
          request(Map.of("cpus", "4")),
          "cpus=4 (flow) is above this agent's --max-cpus 2");
      LaunchRequest foreign = request(Map.of());
      LaunchRequest other =
          new LaunchRequest(
              foreign.run(), foreign.flow(), foreign.environment(), "acme/etl:1", "agent");
      assertRefused(
          launcher,
          other,
          "image acme/etl:1 is outside this agent's allowed image prefixes [gantry-test-]"
              + " (--allow-image-prefix)");
    }
  }

  @Test
  void withoutAgentDefaultsAContainerHasNoLimits() throws Exception {
    try (BoundedLauncher launcher =
        new BoundedLauncher(
            new DockerLauncher(agentSettings().withMemoryBytes(null).withCpuMillis(null)),
            LaunchPolicy.DEFAULT,
            STOP_GRACE)) {
      LaunchRequest request = request(Map.of());

      RunExecution execution = launcher.launch(request, line -> {});

      String id = TestDocker.containerOfRun(request.runId()).orElseThrow().getId();
      InspectContainerResponse inspect = TestDocker.client().inspectContainerCmd(id).exec();
      assertThat(inspect.getHostConfig().getMemory()).isIn(null, 0L);
      assertThat(inspect.getHostConfig().getNanoCPUs()).isIn(null, 0L);
      launcher.cancel(request.runId(), STOP_GRACE);
      execution.exit().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void theAgentsOwnDefaultsAreBoundedByItsPolicyToo() throws Exception {
    LaunchPolicy policy =
        new LaunchPolicy(List.of(), 128L * 1024 * 1024, 250L, Set.of(), false, false, false, false);
    try (BoundedLauncher launcher =
        new BoundedLauncher(new DockerLauncher(agentSettings()), policy, STOP_GRACE)) {
      assertRefused(
          launcher,
          request(Map.of()),
          "cpus=0.5 (agent) is above this agent's --max-cpus 0.25; memory=256m (agent) is above"
              + " this agent's --max-memory 128m");
      assertRefused(
          launcher,
          request(Map.of("memory", "100m")),
          "cpus=0.5 (agent) is above this agent's --max-cpus 0.25");
    }
  }

  /**
   * The engine on the build machines cannot start privileged containers or add capabilities (its
   * runtime is not permitted to), so this checks the spec the launcher creates the container from.
   */
  @Test
  void privilegedHostNetworkAndAddedCapabilitiesGoIntoTheSpecWhenAsked() throws Exception {
    LaunchRequest request =
        request(Map.of("privileged", "true", "cap-add", "NET_ADMIN", "host-network", "true"));

    ContainerSpec spec = ContainerSpec.forRun(agentSettings(), request, IMAGE, Optional.empty());

    assertThat(spec.hostConfig().getPrivileged()).isTrue();
    assertThat(List.of(spec.hostConfig().getCapAdd()))
        .extracting(Object::toString)
        .containsExactly("NET_ADMIN");
    assertThat(spec.hostConfig().getNetworkMode()).isEqualTo("host");
  }

  @Test
  void aRunPastItsTimeoutIsStoppedAndEndsTimedOut() throws Exception {
    try (JdbcBackend backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
        BoundedLauncher launcher =
            new BoundedLauncher(
                new DockerLauncher(agentSettings()), LaunchPolicy.DEFAULT, STOP_GRACE)) {
      RegisteredFlow flow =
          backend
              .flows()
              .register(
                  new NewFlowVersion(
                          "waiter",
                          BundleFormat.module,
                          "module:demo.Waiter#flow",
                          null,
                          "demo.Waiter#flow",
                          IMAGE,
                          List.of(),
                          Set.of(),
                          List.of())
                      .withRunConfig(RunConfig.of(Map.of("run-timeout", "4s"), Map.of())));
      FlowRun run = backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      Agent agent =
          new Agent(
              backend,
              launcher,
              AgentOptions.defaults("timeouts", Set.of()).withPollInterval(Duration.ofMillis(200)),
              SecretSource.NONE);
      agent.start();
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> backend.runs().find(run.id()).orElseThrow().state().isTerminal());
      } finally {
        agent.stop();
      }
      FlowRun done = backend.runs().find(run.id()).orElseThrow();
      assertThat(done.state()).isEqualTo(RunState.Failed);
      assertThat(done.message())
          .startsWith("run " + run.id() + " timed out after its run timeout of 4s")
          .contains("was stopped");
      TestDocker.containerOfRun(run.id())
          .ifPresent(
              c -> assertThat(TestDocker.isRunning(c.getId())).as("still running").isFalse());
    }
  }

  private static void assertRefused(BoundedLauncher launcher, LaunchRequest request, String why) {
    assertThatThrownBy(() -> launcher.launch(request, line -> {}))
        .isInstanceOf(LaunchException.class)
        .hasMessage("run " + request.runId() + " of flow 'sized' refused by agent policy: " + why)
        .satisfies(e -> assertThat(((LaunchException) e).outcome()).isEqualTo(RunState.Failed));
    assertThat(TestDocker.containerOfRun(request.runId())).isEmpty();
  }
}
