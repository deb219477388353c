package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.kubernetes.testing.MockCluster;
import dev.gantry.kubernetes.testing.PodSimulator;
import dev.gantry.kubernetes.testing.RecordingSink;
import dev.gantry.launch.LaunchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow's memory and CPU limits and variables reach the container its run's pod becomes. The API
 * server is fabric8's mock (no kube-apiserver runs here) and the kubelet is {@link PodSimulator},
 * which runs the pod's container as a real Docker container; its image is a small one built here
 * whose {@code gantry} prints and waits, since this is about the container, not the bootstrap.
 */
@RequiresDocker
class KubernetesRunConfigPodTest {
  private static final String IMAGE = "gantry-test-pod-waiter:1";
  private static final String NS = "runcfg";

  @TempDir Path work;
  private MockCluster cluster;
  private PodSimulator simulator;
  private KubernetesLauncher launcher;

  @BeforeAll
  static void buildImage(@TempDir Path context) throws Exception {
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM " + GantryImage.baseImage() + "\nCOPY gantry /usr/local/bin/gantry\n");
    Path script =
        Files.writeString(
            context.resolve("gantry"),
            "#!/bin/sh\ntrap 'exit 143' TERM\necho \"MODE=$MODE\"\nsleep 300 &\nwait\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
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
  void stop() {
    if (launcher != null) {
      launcher.close();
    }
    if (simulator != null) {
      simulator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    for (Container c : podContainers()) {
      try {
        TestDocker.client().removeContainerCmd(c.getId()).withForce(true).exec();
      } catch (NotFoundException gone) {
        // removed by the simulator meanwhile
      }
    }
  }

  private static List<Container> podContainers() {
    return TestDocker.client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(PodSimulator.CONTAINER_LABEL, NS))
        .exec();
  }

  @Test
  void theFlowsLimitsAndVariablesAreOnThePodsRealContainer() throws Exception {
    cluster = new MockCluster();
    simulator = new PodSimulator(cluster, NS, TestDocker.client(), work).start();
    launcher =
        new KubernetesLauncher(
            KubernetesSettings.builder().namespace(NS).memoryLimit("256Mi").build(),
            cluster.client(),
            false);
    launcher.prepare();
    LaunchRequest base = Launches.request("etl", IMAGE, Map.of());
    RegisteredFlow flow =
        base.flow()
            .withRunConfig(
                RunConfig.of(
                    Map.of("memory-limit", "300Mi", "cpu-limit", "1500m", "env.MODE", "full"),
                    Map.of()));
    LaunchRequest request =
        new LaunchRequest(base.run(), flow, base.environment(), IMAGE, base.agentId());

    launcher.launch(request, new RecordingSink());

    Container running =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> podContainers().stream().findFirst().orElse(null), c -> c != null);
    InspectContainerResponse inspect =
        TestDocker.client().inspectContainerCmd(running.getId()).exec();
    assertThat(inspect.getHostConfig().getMemory()).isEqualTo(300L * 1024 * 1024);
    assertThat(inspect.getHostConfig().getNanoCPUs()).isEqualTo(1_500_000_000L);
    assertThat(List.of(inspect.getConfig().getEnv())).contains("MODE=full");
    assertThat(inspect.getConfig().getImage()).isEqualTo(IMAGE);
  }
}
