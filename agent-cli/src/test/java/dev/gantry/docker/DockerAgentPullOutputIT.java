package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.LocalRegistry;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent process (the packaged gantry.jar) prints when a pull fails: one line naming the
 * run, the image and what to do; no stack trace (docker-java's callbacks print one by default).
 */
@RequiresDocker
class DockerAgentPullOutputIT {
  @TempDir Path dir;
  private LocalGantry gantry;
  private Process agent;

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) {
      agent.destroy();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
    if (gantry != null) {
      gantry.close();
    }
  }

  @Test
  void aFailedPullIsOneLineOnTheAgentsConsoleWithoutAStackTrace() throws Exception {
    GantryImage.ensureBuilt();
    gantry = new LocalGantry(dir.resolve("home"));
    gantry.registerExample("dev.gantry.examples.Etl#etl");
    String image = "127.0.0.1:" + LocalRegistry.freePort() + "/gantry-test/etl:1";
    Path output = dir.resolve("agent.log");
    agent = startAgent(image, output);

    FlowRun run = gantry.client.createRun("etl", Map.of(), Set.of("pull-output"));
    FlowRun done = gantry.awaitEnd(run.id(), Duration.ofSeconds(60));

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Crashed);
    agent.destroy();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Files.readAllLines(output);
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains(
                        "run " + run.id() + " not launched: pulling image '" + image + "' failed")
                    .contains("connection refused")
                    .contains("check it and the engine's network to it"));
    assertThat(lines)
        .as("agent output:%n%s", String.join("\n", lines))
        .noneMatch(line -> line.startsWith("\tat ") || line.matches("^\\s+at [\\w.$]+\\(.*"))
        .noneMatch(line -> line.contains("Error during callback"))
        .noneMatch(line -> line.contains("ResultCallbackTemplate"))
        .noneMatch(line -> line.startsWith("Caused by:"));
  }

  private Process startAgent(String image, Path output) throws Exception {
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "agent",
            "start",
            "docker",
            "--home",
            dir.resolve("home").toString(),
            "--name",
            "pull-output",
            "-l",
            Local.hostName(),
            "-l",
            "pull-output",
            "--default-image",
            image,
            "--poll-interval",
            "100ms")
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }
}
