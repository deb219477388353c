package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.catalog.RunPolicy;
import dev.gantry.cli.Gantry;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.PostgresSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local agent in a JVM of its own is killed with SIGKILL while its run is Running. Its child JVM
 * dies with it; the lease it stopped renewing expires, and another local agent whose labels cover
 * the run adopts it, finds no infrastructure, and, since the flow has an infrastructure retry,
 * schedules it again and runs it to Success.
 */
class KilledAgentAdoptionTest {
  /** The doomed agent's lease (its --orphan-timeout). */
  private static final Duration LEASE = Duration.ofSeconds(2);

  @TempDir Path home;

  /** The doomed agent's children's temporary directories go here. */
  @TempDir Path tmp;

  private PostgresSchema schema;
  private LocalGantry gantry;
  private Process doomed;

  @BeforeEach
  void start() {
    schema = PostgresSchema.create();
    gantry = new LocalGantry(home, schema.url());
  }

  @AfterEach
  void stop() {
    if (doomed != null) {
      doomed.destroyForcibly();
    }
    gantry.close();
    schema.close();
  }

  @Test
  void theRunOfAKilledAgentIsAdoptedWithinTheLeaseAndScheduledAgain() throws Exception {
    gantry.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.Sleepy#sleepy")
            .withPolicy(RunPolicy.DEFAULT.withInfrastructureRetries(1)));
    doomed = startAgentProcess("doomed");
    AgentInfo doomedAgent = awaitAgent("doomed");
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "3"));
    await()
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> !doomed.isAlive())
        .until(
            () -> {
              FlowRun now = gantry.find(run.id());
              return now.state() == RunState.Running && doomedAgent.id().equals(now.agentId());
            });
    Agent survivor = gantry.startAgent(LocalGantry.quickOptions("survivor"));
    Duration reaperPeriod = survivor.options().orphanTimeout().dividedBy(2);

    Instant killed = Instant.now();
    doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
    doomed.waitFor();

    await().atMost(Duration.ofSeconds(30)).until(() -> adoption(run).isPresent());
    Duration toAdoption = Duration.between(killed, adoption(run).get().at());
    assertThat(toAdoption)
        .as(
            "adopted %s after the kill (lease %s, reaper every %s)",
            toAdoption, LEASE, reaperPeriod)
        .isLessThan(LEASE.plus(reaperPeriod).plusSeconds(3));

    FlowRun done = gantry.awaitEnd(run.id(), Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(RunState.Success);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.agentId()).isEqualTo(survivor.id());
    List<StateChange> history = gantry.client.backend().runs().history(run.id());
    assertThat(history)
        .extracting(StateChange::state)
        .containsExactly(
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Running,
            RunState.Running,
            RunState.Crashed,
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Running,
            RunState.Success);
    assertThat(history.get(4).message())
        .contains("doomed")
        .contains("stopped renewing its lease")
        .contains("its infrastructure is gone");
    assertThat(history.get(5).message()).contains("infrastructure retry 1 of 1");

    // Nobody saw the killed agent's child exit: its directory stays until a local agent starts.
    assertThat(childDirs()).isNotEmpty();
    try (LocalLauncher next = new LocalLauncher(List.of("-Djava.io.tmpdir=" + tmp), false)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                next.prepare(); // as at agent start
                return childDirs().isEmpty();
              });
    }
  }

  private List<Path> childDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(tmp)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("gantry-local-")).toList();
    }
  }

  private Optional<StateChange> adoption(FlowRun run) {
    return gantry.client.backend().runs().history(run.id()).stream()
        .filter(c -> c.message() != null && c.message().startsWith("adopted by agent survivor"))
        .findFirst();
  }

  private AgentInfo awaitAgent(String name) {
    await()
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> !doomed.isAlive())
        .until(() -> agentNamed(name).isPresent());
    return agentNamed(name).orElseThrow();
  }

  private Optional<AgentInfo> agentNamed(String name) {
    return gantry.client.backend().agents().list().stream()
        .filter(a -> a.name().equals(name) && a.stoppedAt() == null)
        .findFirst();
  }

  /** {@code gantry agent start local} in a JVM of its own, on the test's class path. */
  private Process startAgentProcess(String name) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Gantry.class.getName());
    command.addAll(
        List.of(
            "agent",
            "start",
            "local",
            "--home=" + home,
            "--db=" + schema.url(),
            "--name=" + name,
            "--label=" + Local.hostName(),
            "--poll-interval=100ms",
            "--heartbeat-interval=250ms",
            "--orphan-timeout=" + LEASE.toMillis() + "ms",
            "--no-scheduler",
            "--no-warm-start"));
    LocalGantry.CHILD_JVM.forEach(option -> command.add("--java-opt=" + option));
    command.add("--java-opt=-Djava.io.tmpdir=" + tmp);
    // Kept in the build directory, to explain a failure.
    Path output =
        Files.createDirectories(Path.of("target", "agent-processes")).resolve(name + ".log");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }
}
