package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.testing.LocalGantry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker agents as processes of their own (the packaged gantry.jar), killed with SIGKILL while
 * their runs are in flight: the containers keep running, and an agent started again finds them by
 * their labels.
 */
@RequiresDocker
class DockerAgentAdoptionIT {
  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final String LABEL = "docker-adoption";

  @TempDir Path dir;
  private LocalGantry gantry;
  private final List<Process> agents = new ArrayList<>();

  @BeforeEach
  void register() {
    GantryImage.ensureBuilt();
    gantry = new LocalGantry(dir.resolve("home"));
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
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
  void aRunsContainerOutlivesItsAgentKilledWithSigkill() throws Exception {
    Process agent = startAgent("doomed");
    FlowRun run = sleepyRun(60);
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();

    agent.destroyForcibly(); // SIGKILL: the agent cannot stop anything
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();

    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestDocker.isRunning(container));
  }

  @Test
  void anAgentStartedAgainReattachesToRunningContainersAndStoresNoLineTwice() throws Exception {
    Process agent = startAgent("first");
    FlowRun run = sleepyRun(20);
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    await().atMost(WITHIN).until(() -> logs(run).stream().anyMatch(l -> napping(l, 20)));
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();
    Path copy;
    try (var files = Files.list(copyOf(run))) {
      copy = files.findFirst().orElseThrow();
    }
    assertThat(permissions(copy)).isEqualTo("r--r--r--");
    assertThat(permissions(copyOf(run))).isEqualTo("rwx------");
    assertThat(permissions(bundleCopies())).isEqualTo("rwx------");

    agent.destroyForcibly();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(TestDocker.isRunning(container)).isTrue();
    startAgent("second");

    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    List<LogRecord> logs = logs(run);
    assertThat(logs.stream().filter(l -> napping(l, 20))).hasSize(1);
    assertThat(duplicates(logs)).isEmpty();
    await().atMost(Duration.ofSeconds(15)).until(() -> !TestDocker.exists(container));
    await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(copyOf(run)));
  }

  @Test
  void aRunWhoseContainerVanishedWhileNoAgentWatchedLeavesNoBundleCopy() throws Exception {
    Process agent = startAgent("first");
    FlowRun run = sleepyRun(60);
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();
    assertThat(copyOf(run)).isDirectory();

    agent.destroyForcibly();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    TestDocker.client().removeContainerCmd(container).withForce(true).exec();
    startAgent("second");

    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Crashed);
    assertThat(copyOf(run)).doesNotExist();
  }

  @Test
  void anAgentStartingRemovesOldBundleCopiesOfRunsWithoutAContainer() throws Exception {
    // What an agent killed between copying a bundle and creating its container leaves behind.
    Path leftover = Files.createDirectories(bundleCopies().resolve("0f0e0d0c-left-over-1"));
    Files.writeString(leftover.resolve("sleepy.gantry"), "bundle");
    Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minusSeconds(600)));
    Path fresh = Files.createDirectories(bundleCopies().resolve("0f0e0d0c-launching-1"));

    startAgent("sweeper");

    await().atMost(WITHIN).until(() -> !Files.exists(leftover));
    assertThat(fresh).as("a copy of a launch under way is left").isDirectory();
  }

  @Test
  void anAgentStartedAgainFinalizesAContainerThatExitedWhileNoAgentWatched() throws Exception {
    Process agent = startAgent("first");
    FlowRun run = sleepyRun(3);
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();

    agent.destroyForcibly();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await().atMost(WITHIN).until(() -> !TestDocker.isRunning(container));
    assertThat(TestDocker.exists(container)).as("an exited container waits for its agent").isTrue();
    startAgent("second");

    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(duplicates(logs(run))).isEmpty();
    await().atMost(Duration.ofSeconds(15)).until(() -> !TestDocker.exists(container));
  }

  @Test
  void anAgentStoppedPastItsGracePeriodLeavesTheContainerForTheNextAgent() throws Exception {
    Process agent = startAgent("rolled-out", "--grace-period", "1s");
    FlowRun run = sleepyRun(15);
    gantry.awaitState(run.id(), RunState.Running, WITHIN);
    String container = TestDocker.containerOfRun(run.id()).orElseThrow().getId();

    agent.destroy(); // SIGTERM, as a Deployment rollout or Ctrl-C sends
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(TestDocker.isRunning(container)).as("the container outlives its agent").isTrue();
    assertThat(gantry.find(run.id()).state()).isEqualTo(RunState.Running);
    startAgent("next");
    FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(duplicates(logs(run))).isEmpty();
  }

  /** The agents' temporary directory, where their bundle copies are. */
  private Path tmp() {
    return dir.resolve("tmp");
  }

  private Path bundleCopies() {
    return tmp().resolve("gantry-docker-bundles");
  }

  /** The bundle copy of a run's first attempt, as the launcher names it. */
  private Path copyOf(FlowRun run) {
    return bundleCopies().resolve(run.id() + "-1");
  }

  private Process startAgent(String name, String... extraArgs) throws Exception {
    Files.createDirectories(tmp());
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Djava.io.tmpdir=" + tmp(),
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
            "3s");
    command = new ArrayList<>(command);
    command.addAll(List.of(extraArgs));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    agents.add(process);
    return process;
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private FlowRun sleepyRun(int seconds) {
    return gantry.client.createRun(
        "sleepy", Map.of("seconds", Integer.toString(seconds)), Set.of(LABEL));
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  private static boolean napping(LogRecord log, int seconds) {
    return log.message().contains("napping " + seconds + " s");
  }

  /** Log records stored more than once (the sleepy flow writes no line twice itself). */
  private static List<String> duplicates(List<LogRecord> logs) {
    return logs.stream()
        .collect(
            Collectors.groupingBy(
                l -> l.source() + " " + l.taskName() + " " + l.message(), Collectors.counting()))
        .entrySet()
        .stream()
        .filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey)
        .toList();
  }
}
