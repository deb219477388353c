package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.docker.testing.LocalRegistry;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image storage end to end with a real registry (docker-registry on 127.0.0.1 with htpasswd) and a
 * real Docker engine: registration builds the flow's image on the Gantry image and pushes it; the
 * Docker agent, which has never seen the image, pulls it by digest with the login from the flow's
 * secret and the run of the module flow in it succeeds.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageStorageDockerIT {
  private static final String USER = "flows";
  private static final String SECRET = "REGISTRY_LOGIN";
  private static final String LABEL = "image-storage-it";

  @TempDir static Path dir;
  private DockerGantry gantry;
  private LocalRegistry registry;
  private String login;

  @BeforeAll
  void start() throws Exception {
    gantry = new DockerGantry(dir);
    registry = LocalRegistry.start(dir.resolve("registry"), USER);
    // LocalRegistry's password for a user is "secret-" + the user
    login = "{\"username\":\"" + USER + "\",\"password\":\"secret-" + USER + "\"}";
    gantry.local.client.setSecret(SECRET, login);
    SecretSource secrets =
        names -> {
          if (!names.equals(Set.of(SECRET))) {
            throw new SecretSource.MissingSecretException(String.join(",", names));
          }
          return Map.of(SECRET, login);
        };
    gantry.startAgent(
        "image-storage", Set.of(LABEL, OciImage.DEFAULT_LABEL), DockerSettings.defaults(), secrets);
  }

  @AfterAll
  void stop() throws Exception {
    if (gantry != null) {
      gantry.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void theAgentPullsTheFlowsImageByDigestWithTheSecretsLoginAndTheRunSucceeds() {
    OciImage storage =
        OciImage.at(registry.host() + "/flows/chatty:1")
            .credentials(SECRET)
            .onBase(OciImage.DOCKER_PREFIX + gantry.image);
    RegisteredFlow flow =
        gantry.local.client.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Chatty#chatty")
                .withStorage(storage));
    assertThat(flow.image()).matches(registry.host() + "/flows/chatty@sha256:[0-9a-f]{64}");
    assertThatThrownBy(() -> TestDocker.client().inspectImageCmd(flow.image()).exec())
        .as("the engine has not seen the image before the run")
        .isInstanceOf(NotFoundException.class);

    FlowRun run = gantry.runFor(LABEL, flow.name(), Map.of("lines", "3"));
    FlowRun done = gantry.local.awaitEnd(run.id(), DockerGantry.RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(TestDocker.client().inspectImageCmd(flow.image()).exec().getRepoDigests())
        .contains(flow.image());
  }
}
