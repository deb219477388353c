package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Docker run's agent (the packaged gantry.jar) is killed with SIGKILL; its container keeps
 * running past the flow's run timeout, and the agent started next, which adopts it, stops it at
 * once and ends it timed out: the deadline counts from the run's start, not from the adoption.
 */
@RequiresDocker
class DockerAdoptedRunTimeoutIT {
  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final String LABEL = "docker-adopted-timeout";
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private LocalGantry gantry;
  private final List<Process> agents = new ArrayList<>();

  @BeforeEach
  void register() {
    GantryImage.ensureBuilt();
    gantry = new LocalGantry(dir.resolve("home"));
    gantry.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Sleepy#sleepy")
            .withRunConfig(Map.of("run-timeout", TIMEOUT.toSeconds() + "s")));
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process agent : agents) {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
    gantry.close();
    TestDocker.removeGantryContainers();
  }

  @Test
  void aRunAdoptedPastItsTimeoutIsStoppedAtOnceAndEndsTimedOut() throws Exception {
    Process first = startAgent("first");
    FlowRun run = gantry.client.createRun("sleepy", Map.of("seconds", "300"), Set.of(LABEL));
    FlowRun running = gantry.awaitState(run.id(), RunState.Running, WITHIN);
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();

    first.destroyForcibly(); // SIGKILL: the deadline it armed dies with it
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Instant deadline = running.startedAt().plus(TIMEOUT);
    await()
        .atMost(TIMEOUT.plusSeconds(30))
        .until(() -> Instant.now().isAfter(deadline.plusSeconds(2)));
    assertThat(TestDocker.isRunning(container)).as("running past its timeout").isTrue();
    Instant adopting = Instant.now();
    startAgent("second");

    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .startsWith("run " + run.id() + " timed out after its run timeout of 15s")
        .contains("was stopped");
    assertThat(Duration.between(adopting, done.endedAt()))
        .as("stopped when adopted, not a whole timeout after")
        .isLessThan(TIMEOUT);
  }

  private Process startAgent(String name) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Djava.io.tmpdir=" + tmp,
            "-jar",
            jar.toString(),
            "agent",
            "start",
            "docker",
            "--home",
            dir.resolve("home").toString(),
            "--name",
            name,
            "-l",
            Local.hostName(),
            "-l",
            LABEL,
            "--poll-interval",
            "100ms",
            "--heartbeat-interval",
            "500ms",
            "--orphan-timeout",
            "3s",
            "--cancel-grace",
            "3s");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    agents.add(process);
    return process;
  }
}
