package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectImageResponse;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ExitCodes;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.flow.GantryVersion;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/** The Gantry image built from the repository's Dockerfile, run with Testcontainers. */
@RequiresDocker
class GantryImageIT {
  private static String image;

  @BeforeAll
  static void build() {
    image = GantryImage.ensureBuilt();
  }

  @Test
  void theImageRunsGantryAsItsEntrypointAsAnUnprivilegedUser() {
    InspectImageResponse inspected = TestDocker.client().inspectImageCmd(image).exec();

    assertThat(inspected.getConfig().getEntrypoint()).containsExactly("gantry");
    assertThat(inspected.getConfig().getUser()).isEqualTo("10001:10001");
    assertThat(inspected.getConfig().getWorkingDir()).isEqualTo("/home/gantry");
    try (GenericContainer<?> version = oneShot("--version")) {
      version.start();
      assertThat(version.getLogs()).contains("gantry " + GantryVersion.current());
    }
  }

  @Test
  void theImageCarriesS3StorageSoNoFlowNeedsACustomImageToBeFetched() {
    // A bootstrap given an S3 location in an image without S3 support would say the scheme is
    // unknown; with it, it goes for the bucket (nothing listens on that port) and reports that.
    try (GenericContainer<?> bootstrap =
        oneShot()
            .withCreateContainerCmdModifier(
                cmd -> cmd.withEntrypoint("sh", "-c", "gantry execute flow-run; echo exit=$?"))
            .withEnv(BootstrapSpec.RUN_ID, "image-check")
            .withEnv(BootstrapSpec.ATTEMPT, "1")
            .withEnv(BootstrapSpec.FLOW_NAME, "probe")
            .withEnv(BootstrapSpec.FLOW_VERSION, "1")
            .withEnv(BootstrapSpec.FORMAT, "serialized")
            .withEnv(BootstrapSpec.DIGEST, "00")
            .withEnv(
                BootstrapSpec.LOCATION,
                "s3://gantry-flows/probe/flow.gantry?region=us-east-1&endpoint=http://127.0.0.1:9")
            .withEnv(BootstrapSpec.SECRET_NAMES, "")) {
      bootstrap.start();

      String output = bootstrap.getLogs();
      assertThat(output).contains("\"state\":\"Failed\"").contains("probe");
      assertThat(output).doesNotContain("has a scheme this Gantry cannot read");
      assertThat(output).contains("exit=" + ExitCodes.LOAD_FAILED);
    }
  }

  private static GenericContainer<?> oneShot(String... command) {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image));
    if (command.length > 0) {
      container.withCommand(command);
    }
    return container.withStartupCheckStrategy(
        new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)));
  }
}
