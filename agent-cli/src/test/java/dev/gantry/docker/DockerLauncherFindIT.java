package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunExecution;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What agent adoption relies on, at the launcher: a launcher that stops watching leaves its
 * containers running; another launcher discovers them by their labels and finds them, delivering
 * only the output after the backend's cursor, and completes with their exit.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerLauncherFindIT {
  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final String LABEL = "launcher-find";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private LocalGantry gantry;
  private final List<DockerLauncher> launchers = new ArrayList<>();

  @BeforeAll
  void register() {
    GantryImage.ensureBuilt();
    gantry = new LocalGantry(dir);
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
  }

  @AfterAll
  void close() {
    launchers.forEach(DockerLauncher::close);
    gantry.close();
    TestDocker.removeGantryContainers();
  }

  @Test
  void aRunningContainerIsFoundAgainAndOnlyOutputAfterTheCursorIsDelivered() throws Exception {
    LaunchRequest request = claim(8);
    List<String> firstOutput = new CopyOnWriteArrayList<>();
    DockerLauncher first = launcher();
    first.launch(request, firstOutput::add);
    await().atMost(WITHIN).until(() -> firstOutput.stream().anyMatch(l -> l.contains("napping")));
    first.close(); // the agent died: nobody watches the container any more
    Instant cursor = lastLogAt(firstOutput);

    DockerLauncher second = launcher();
    assertThat(second.discover())
        .anySatisfy(
            found -> {
              assertThat(found.runId()).isEqualTo(request.runId());
              assertThat(found.attempt()).isEqualTo(request.run().attempt());
              assertThat(found.agentId()).isEqualTo(request.agentId());
              assertThat(found.running()).isTrue();
            });
    List<String> secondOutput = new CopyOnWriteArrayList<>();
    Optional<RunExecution> found =
        second.find(request.runId(), request.run().attempt(), cursor, secondOutput::add);

    assertThat(found).isPresent();
    ExitReport exit =
        found.get().exit().get(WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(exit.exitCode()).isZero();
    assertThat(exit.reason()).isNull();
    assertThat(secondOutput).anySatisfy(l -> assertThat(l).contains("\"state\":\"Success\""));
    assertThat(logLines(secondOutput)).doesNotContainAnyElementsOf(logLines(firstOutput));
    assertThat(logLines(secondOutput))
        .anySatisfy(l -> assertThat(l).contains("task 'nap' succeeded"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> TestDocker.containerOfRun(request.runId()).isEmpty());
  }

  @Test
  void aContainerThatExitedUnwatchedIsFoundWithItsExitAndRemainingOutput() throws Exception {
    LaunchRequest request = claim(1);
    DockerLauncher first = launcher();
    first.launch(request, line -> {});
    first.close();
    String container = TestDocker.containerOfRun(request.runId()).orElseThrow().getId();
    await().atMost(WITHIN).until(() -> !TestDocker.isRunning(container));
    assertThat(TestDocker.exists(container)).as("an exited container waits for its agent").isTrue();

    DockerLauncher second = launcher();
    assertThat(second.discover())
        .filteredOn(i -> i.runId().equals(request.runId()))
        .singleElement()
        .extracting(Infrastructure::running)
        .isEqualTo(false);
    List<String> output = new CopyOnWriteArrayList<>();
    RunExecution found =
        second.find(request.runId(), request.run().attempt(), null, output::add).orElseThrow();

    assertThat(
            found.exit().get(WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).exitCode())
        .isZero();
    assertThat(output).anySatisfy(l -> assertThat(l).contains("napping 1 s"));
    assertThat(output).anySatisfy(l -> assertThat(l).contains("\"state\":\"Success\""));
    await().atMost(Duration.ofSeconds(15)).until(() -> !TestDocker.exists(container));
  }

  @Test
  void noContainerOfTheAttemptMeansNothingIsFound() {
    assertThat(launcher().find("no-such-run", 1, null, line -> {})).isEmpty();
  }

  private DockerLauncher launcher() {
    DockerLauncher launcher = new DockerLauncher(DockerSettings.defaults());
    launchers.add(launcher);
    return launcher;
  }

  /** Creates a sleepy run and claims it as an agent would, giving the launch request. */
  private LaunchRequest claim(int seconds) {
    FlowRun created =
        gantry.client.createRun(
            "sleepy", Map.of("seconds", Integer.toString(seconds)), Set.of(LABEL));
    String agentId = "test-agent-" + created.id().substring(0, 8);
    FlowRun run =
        gantry
            .client
            .backend()
            .runs()
            .claimDue(agentId, Set.of(Local.hostName(), LABEL), 10, Instant.now())
            .stream()
            .filter(r -> r.id().equals(created.id()))
            .findFirst()
            .orElseThrow();
    RegisteredFlow flow = gantry.client.backend().flows().find(run.flowId()).orElseThrow();
    BootstrapSpec spec =
        new BootstrapSpec(
            run.id(),
            run.attempt(),
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            run.parameters(),
            Set.of());
    return new LaunchRequest(run, flow, spec.toEnvironment(), flow.image(), agentId);
  }

  /** The bootstrap's time of the last log line: what the backend's cursor would say. */
  private static Instant lastLogAt(List<String> output) throws Exception {
    Instant last = Instant.EPOCH;
    for (String line : output) {
      if (line.startsWith(ProtocolOutput.MARKER)) {
        var event = JSON.readTree(line.substring(ProtocolOutput.MARKER.length()));
        if (event.path("event").asText().equals("log")) {
          Instant at = Instant.parse(event.path("at").asText());
          last = at.isAfter(last) ? at : last;
        }
      }
    }
    return last;
  }

  private static List<String> logLines(List<String> output) {
    return output.stream().filter(l -> l.contains("\"event\":\"log\"")).toList();
  }
}
