package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.flow.storage.Local;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Launcher} promises the agent, run against a real platform with the examples'
 * flow {@code sleepy}: a launched run's protocol output reaches the sink and its exit is reported;
 * a cancelled run ends; a new launcher ("after a restart") finds a running run's infrastructure by
 * its labels and re-attaches to its output; removing a finished run's infrastructure means it is
 * found no more.
 *
 * <p>A launcher whose infrastructure does not outlive it ({@link
 * Launcher#infrastructureOutlivesAgent()} false: child JVMs) is held to what it promises instead:
 * only the launcher that started a run finds it, and a new one finds nothing.
 *
 * <p>Subclasses provide new launchers onto one platform and launch requests for runs of {@code
 * sleepy} (registered where the platform's runs can load it); {@link #claim} makes one as an agent
 * would.
 */
public abstract class LauncherContract {
  /** How long a run may take on a slow, shared build machine. */
  protected static final Duration WITHIN = Duration.ofSeconds(120);

  /** The label of the contract's runs: no agent but the contract's own claim takes them. */
  protected static final String LABEL = "launcher-contract";

  private static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");

  private final List<Launcher> open = new ArrayList<>();
  private final List<Launched> launched = new ArrayList<>();

  /** A new launcher onto the platform, as a (re)started agent makes it; the suite closes it. */
  protected abstract Launcher newLauncher();

  /** A launch request for the first attempt of a new run of {@code sleepy} for {@code seconds}. */
  protected abstract LaunchRequest sleepyRun(int seconds);

  /**
   * Whether {@link Launcher#find} delivers no output stamped at or before its {@code outputSince}
   * again. A launcher that replays the cursor's last second (and leaves dropping the protocol log
   * events the backend holds to the agent) says false; the contract then checks that nothing older
   * comes again.
   */
  protected boolean deliversOnlyOutputAfterTheCursor() {
    return true;
  }

  /** A run the contract started, so that one left running is stopped after its test. */
  private record Launched(Launcher launcher, RunExecution execution) {}

  @AfterEach
  void stopWhatIsLeft() {
    for (Launched run : launched) {
      if (!run.execution().exit().isDone() && open.contains(run.launcher())) {
        try {
          run.launcher().cancel(run.execution().runId(), Duration.ofSeconds(1));
          run.execution().exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
          // best effort: the subclass's platform clean-up removes what is left
        }
      }
    }
    launched.clear();
    open.forEach(Launcher::close);
    open.clear();
  }

  @Test
  void aLaunchedRunDeliversItsProtocolOutputAndReportsItsExit() throws Exception {
    Launcher launcher = launcher();
    LaunchRequest request = sleepyRun(1);
    List<String> output = new CopyOnWriteArrayList<>();

    RunExecution execution = launch(launcher, request, output::add);

    assertThat(execution.runId()).isEqualTo(request.runId());
    ExitReport exit = execution.exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(exit.exitCode()).as(exit.describe() + " with output " + output).isZero();
    assertThat(exit.reason()).isNull();
    List<String> protocol = protocol(output);
    assertThat(protocol).as("protocol lines").isNotEmpty();
    assertThat(protocol.get(0)).contains("\"event\":\"run\"").contains("\"state\":\"Running\"");
    assertThat(protocol)
        .anySatisfy(l -> assertThat(l).contains("\"event\":\"log\"").contains("napping 1 s"));
    assertThat(protocol.get(protocol.size() - 1))
        .contains("\"event\":\"result\"")
        .contains("\"state\":\"Success\"");
  }

  @Test
  void aCancelledRunEndsWithoutSuccessAndLeavesNothingRunning() throws Exception {
    Launcher launcher = launcher();
    LaunchRequest request = sleepyRun(600);
    List<String> output = new CopyOnWriteArrayList<>();
    RunExecution execution = launch(launcher, request, output::add);
    awaitLine(output, "napping 600 s");

    launcher.cancel(request.runId(), Duration.ofSeconds(5));

    ExitReport exit = execution.exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(exit.exitCode()).as(exit.describe()).isNotZero();
    assertThat(protocol(output)).noneMatch(l -> l.contains("\"state\":\"Success\""));
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                assertThat(launcher.discover())
                    .noneMatch(i -> i.runId().equals(request.runId()) && i.running()));
  }

  @Test
  void aNewLauncherFindsARunningRunByItsLabelsAndReattachesToItsOutput() throws Exception {
    Launcher first = launcher();
    // Long enough to still run when a new launcher looks, even where output arrives late.
    LaunchRequest request = sleepyRun(30);
    List<String> firstOutput = new CopyOnWriteArrayList<>();
    RunExecution execution = launch(first, request, firstOutput::add);
    awaitLine(firstOutput, "napping 30 s");

    if (!first.infrastructureOutlivesAgent()) {
      // What such a launcher promises: its own runs are found by it, and by no other launcher.
      assertThat(first.find(request.runId(), 1, null, line -> {})).containsSame(execution);
      Launcher other = launcher();
      assertThat(other.find(request.runId(), 1, null, line -> {})).isEmpty();
      assertThat(other.discover()).noneMatch(i -> i.runId().equals(request.runId()));
      return;
    }
    restart(first);
    Instant cursor = lastLogAt(firstOutput);

    Launcher second = launcher();
    assertThat(second.discover())
        .filteredOn(i -> i.runId().equals(request.runId()))
        .singleElement()
        .satisfies(
            found -> {
              assertThat(found.attempt()).isEqualTo(request.run().attempt());
              assertThat(found.agentId()).isEqualTo(request.agentId());
              assertThat(found.running()).isTrue();
            });
    List<String> secondOutput = new CopyOnWriteArrayList<>();
    Optional<RunExecution> found =
        second.find(request.runId(), request.run().attempt(), cursor, secondOutput::add);

    assertThat(found).isPresent();
    ExitReport exit = found.get().exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(exit.exitCode()).as(exit.describe() + " with output " + secondOutput).isZero();
    List<String> logs = logLines(secondOutput);
    assertThat(logs).anySatisfy(l -> assertThat(l).contains("task 'nap' succeeded"));
    if (deliversOnlyOutputAfterTheCursor()) {
      assertThat(logs).doesNotContainAnyElementsOf(logLines(firstOutput));
    } else {
      // Replayed from the cursor's whole second (the agent drops what it holds by the stamps).
      Instant replayFrom = cursor.truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
      assertThat(logs)
          .filteredOn(logLines(firstOutput)::contains)
          .allSatisfy(l -> assertThat(lastLogAt(List.of(l))).isAfterOrEqualTo(replayFrom));
    }
    assertThat(protocol(secondOutput))
        .last()
        .satisfies(l -> assertThat(l).contains("\"event\":\"result\"").contains("Success"));
  }

  @Test
  void theRemovedInfrastructureOfAFinishedRunIsFoundNoMore() throws Exception {
    Launcher first = launcher();
    LaunchRequest request = sleepyRun(1);
    RunExecution execution = launch(first, request, line -> {});
    Infrastructure infrastructure;
    Launcher remover;
    if (first.infrastructureOutlivesAgent()) {
      restart(first); // nobody watches it: it finishes and stays until removed
      remover = launcher();
      infrastructure =
          await()
              .atMost(WITHIN)
              .until(
                  () -> infrastructureOf(remover, request),
                  i -> i.isPresent() && !i.get().running())
              .orElseThrow();
    } else {
      infrastructure =
          await()
              .atMost(WITHIN)
              .until(() -> infrastructureOf(first, request), Optional::isPresent)
              .orElseThrow();
      assertThat(execution.exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS).exitCode()).isZero();
      remover = first;
    }
    assertThat(infrastructure.attempt()).isEqualTo(request.run().attempt());

    remover.remove(infrastructure);

    await()
        .atMost(WITHIN)
        .untilAsserted(() -> assertThat(infrastructureOf(remover, request)).isEmpty());
    assertThat(remover.find(request.runId(), request.run().attempt(), null, line -> {})).isEmpty();
    remover.remove(infrastructure); // gone already: tolerated
  }

  /**
   * Creates a run of {@code flow} (registered on the gantry's home) that only the contract takes,
   * and claims it as an agent would: the launch request an agent would make of it.
   */
  protected static LaunchRequest claim(
      LocalGantry gantry, String flow, Map<String, String> parameters) {
    FlowRun created = gantry.client.createRun(flow, parameters, Set.of(LABEL));
    String agentId = "contract-" + created.id().substring(0, 8);
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
    RegisteredFlow registered = gantry.client.backend().flows().find(run.flowId()).orElseThrow();
    BootstrapSpec spec =
        new BootstrapSpec(
            run.id(),
            run.attempt(),
            registered.name(),
            registered.version(),
            registered.format(),
            registered.location(),
            registered.digest(),
            registered.factory(),
            run.parameters(),
            Set.of());
    return new LaunchRequest(run, registered, spec.toEnvironment(), registered.image(), agentId);
  }

  private Launcher launcher() {
    Launcher launcher = newLauncher();
    open.add(launcher);
    launcher.prepare();
    return launcher;
  }

  /** The agent stops: its launcher closes, what it launched keeps going. */
  private void restart(Launcher launcher) {
    open.remove(launcher);
    launcher.close();
  }

  private RunExecution launch(Launcher launcher, LaunchRequest request, OutputSink output)
      throws Exception {
    RunExecution execution = launcher.launch(request, output);
    launched.add(new Launched(launcher, execution));
    return execution;
  }

  private static Optional<Infrastructure> infrastructureOf(
      Launcher launcher, LaunchRequest request) {
    return launcher.discover().stream()
        .filter(i -> i.runId().equals(request.runId()) && i.attempt() == request.run().attempt())
        .findFirst();
  }

  private static void awaitLine(List<String> output, String text) {
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> output.stream().anyMatch(l -> l.contains(text)));
  }

  private static List<String> protocol(List<String> output) {
    return output.stream().filter(l -> l.startsWith(ProtocolOutput.MARKER)).toList();
  }

  private static List<String> logLines(List<String> output) {
    return protocol(output).stream().filter(l -> l.contains("\"event\":\"log\"")).toList();
  }

  /** The bootstrap's time of the last log line: what the backend's output cursor would say. */
  private static Instant lastLogAt(List<String> output) {
    Instant last = Instant.EPOCH;
    for (String line : logLines(output)) {
      Matcher at = AT.matcher(line);
      if (at.find()) {
        Instant when = Instant.parse(at.group(1));
        last = when.isAfter(last) ? when : last;
      }
    }
    return last;
  }
}
