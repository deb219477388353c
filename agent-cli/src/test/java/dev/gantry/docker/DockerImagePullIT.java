package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.RunPolicy;
import dev.gantry.docker.testing.LocalRegistry;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull failures on a real engine: registries on 127.0.0.1 that are not there, reset the connection
 * or hang are the infrastructure's failure (Crashed, retried within the flow's budget of one
 * retry); a real registry (docker-registry) that has no such image or wants credentials fails the
 * run at once, whatever the budget.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerImagePullIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private DockerGantry gantry;
  private LocalRegistry registry;
  private LocalRegistry lockedRegistry;
  private final List<ServerSocket> sockets = new ArrayList<>();
  private final List<Socket> held = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    gantry = new DockerGantry(dir.resolve("home"));
    gantry.local.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl")
            .withPolicy(RunPolicy.DEFAULT.withInfrastructureRetries(1)));
    registry = LocalRegistry.start(dir.resolve("registry"), null);
    lockedRegistry = LocalRegistry.start(dir.resolve("locked-registry"), "ci");
  }

  @AfterAll
  void stop() throws Exception {
    gantry.close();
    for (ServerSocket socket : sockets) {
      socket.close();
    }
    for (Socket socket : held) {
      socket.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (lockedRegistry != null) {
      lockedRegistry.close();
    }
  }

  @Test
  void aRegistryWhereNothingListensCrashesTheRunWhichIsRetriedOnce() throws Exception {
    String image = "127.0.0.1:" + LocalRegistry.freePort() + "/gantry-test/etl:1";

    FlowRun done = runWithImage("refused", image, DockerSettings.defaults());

    assertCrashedAndRetriedOnce(done, image);
    assertThat(done.message()).contains("connection refused");
  }

  @Test
  void aRegistryThatClosesEveryConnectionCrashesTheRunWhichIsRetriedOnce() throws Exception {
    ServerSocket closer = listen(socket -> socket.close());
    String image = "127.0.0.1:" + closer.getLocalPort() + "/gantry-test/etl:1";

    FlowRun done = runWithImage("reset", image, DockerSettings.defaults());

    assertCrashedAndRetriedOnce(done, image);
    // The engine words a dropped connection as it found it: reset, EOF, or a closed idle one.
    assertThat(done.message())
        .containsAnyOf("connection reset", "EOF", "server closed idle connection");
  }

  @Test
  void aRegistryThatHangsPastThePullTimeoutCrashesTheRunWhichIsRetriedOnce() throws Exception {
    ServerSocket hanging = listen(held::add);
    String image = "127.0.0.1:" + hanging.getLocalPort() + "/gantry-test/etl:1";

    FlowRun done =
        runWithImage(
            "hanging", image, DockerSettings.defaults().withPullTimeout(Duration.ofSeconds(2)));

    assertCrashedAndRetriedOnce(done, image);
    assertThat(done.message()).contains("took longer than 2 s (--pull-timeout)");
  }

  @Test
  void anImageTheRegistryDoesNotHaveFailsTheRunAtOnceWithoutARetry() {
    String image = registry.host() + "/gantry-test/absent:1";
    Instant created = Instant.now();

    FlowRun done = runWithImage("absent", image, DockerSettings.defaults());

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains("run " + done.id() + ": pulling image '" + image + "' failed")
        .contains("manifest unknown")
        .contains("check the image name and tag");
    assertThat(history(done))
        .containsExactly(RunState.Scheduled, RunState.Submitted, RunState.Failed);
    assertThat(Duration.between(created, done.endedAt())).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void aRegistryThatWantsCredentialsFailsTheRunAtOnceSayingToLogIn() {
    String image = lockedRegistry.host() + "/gantry-test/etl:1";

    FlowRun done = runWithImage("locked", image, DockerSettings.defaults());

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("no basic auth credentials").contains("docker login");
    assertThat(history(done))
        .containsExactly(RunState.Scheduled, RunState.Submitted, RunState.Failed);
  }

  private FlowRun runWithImage(String label, String image, DockerSettings settings) {
    gantry.startAgent("pull-" + label, Set.of(label), settings.withDefaultImage(image));
    FlowRun run = gantry.runFor(label, "etl", Map.of());
    return gantry.local.awaitEnd(run.id(), WITHIN);
  }

  private void assertCrashedAndRetriedOnce(FlowRun done, String image) {
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Crashed);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.message())
        .contains("run " + done.id() + ": pulling image '" + image + "'")
        .contains("--infrastructure-retries");
    assertThat(history(done))
        .containsExactly(
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Crashed,
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Crashed);
  }

  private List<RunState> history(FlowRun run) {
    return gantry.local.client.backend().runs().history(run.id()).stream()
        .map(StateChange::state)
        .toList();
  }

  private interface Accepted {
    void handle(Socket socket) throws IOException;
  }

  /** A socket on 127.0.0.1 that accepts connections and hands each to {@code accepted}. */
  private ServerSocket listen(Accepted accepted) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    sockets.add(server);
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  accepted.handle(server.accept());
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "fake-registry-" + server.getLocalPort());
    thread.setDaemon(true);
    thread.start();
    return server;
  }
}
