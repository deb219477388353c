package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.ParameterException;
import dev.gantry.flow.TaskState;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local path end to end: flows registered from the examples jar, one local agent, each run in a
 * real child JVM through the bootstrap. Run on the embedded H2 backend and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LocalAgentEndToEndTest {
  private static final Duration RUN_TIME = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private LocalGantry gantry;
  private Agent agent;

  /** The backend this run of the suite uses. */
  protected abstract String databaseUrl(Path home);

  @BeforeAll
  void startAgent() {
    gantry = new LocalGantry(dir, databaseUrl(dir));
    for (String factory :
        List.of(
            "dev.gantry.examples.Etl#etl",
            "dev.gantry.examples.Failing#failing",
            "dev.gantry.examples.Flaky#flaky",
            "dev.gantry.examples.Slow#slow",
            "dev.gantry.examples.Sleepy#sleepy",
            "dev.gantry.examples.Greeting#greeting")) {
      gantry.registerExample(factory);
    }
    agent = gantry.startAgent(LocalGantry.quickOptions("e2e").withMaxConcurrent(4));
  }

  @AfterAll
  void stop() {
    gantry.close();
  }

  @Test
  void etlRunsToSuccessAndRecordsStatesTasksAndLogs() {
    FlowRun run = gantry.run("etl", Map.of("rows", "10"));

    FlowRun done = gantry.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Success);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.agentId()).isEqualTo(agent.id());
    assertThat(history(run))
        .containsExactly(
            RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Success);
    assertThat(tasks(run))
        .containsEntry("extract", TaskState.SUCCESS)
        .containsEntry("transform", TaskState.SUCCESS)
        .containsEntry("count", TaskState.SUCCESS)
        .containsEntry("load", TaskState.SUCCESS);
    List<LogRecord> logs = logs(run);
    assertThat(logs)
        .anySatisfy(
            l -> {
              assertThat(l.taskName()).isEqualTo("load");
              assertThat(l.source()).isEqualTo("stdout");
              assertThat(l.message()).contains("loaded 10 rows");
            });
    assertThat(logs).anySatisfy(l -> assertThat(l.taskName()).isEqualTo("extract"));
  }

  @Test
  void aTaskThatThrowsFailsTheRunNamingTaskAndCause() {
    FlowRun done = gantry.awaitEnd(gantry.run("failing", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("explode").contains("the warehouse is on fire");
    assertThat(tasks(done))
        .containsEntry("prepare", TaskState.SUCCESS)
        .containsEntry("explode", TaskState.FAILED)
        .containsEntry("audit", TaskState.SUCCESS);
  }

  @Test
  void taskRetriesAreRecordedAndTheRunSucceeds() {
    FlowRun done = gantry.awaitEnd(gantry.run("flaky", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Success);
    TaskRun task = gantry.client.backend().runs().taskRuns(done.id()).get(0);
    assertThat(task.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(task.taskAttempt()).isEqualTo(3);
  }

  @Test
  void aTaskTimeoutFailsTheRun() {
    FlowRun done = gantry.awaitEnd(gantry.run("slow", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(tasks(done)).containsEntry("stuck", TaskState.TIMED_OUT);
  }

  @Test
  void anUnknownFlowIsRefusedWithoutCreatingARun() {
    int before = gantry.client.backend().runs().list(null, Set.of(), 1000).size();

    assertThatThrownBy(() -> gantry.run("no-such-flow", Map.of()))
        .isInstanceOf(GantryClient.UnknownFlowException.class)
        .hasMessageContaining("no-such-flow")
        .hasMessageContaining("gantry flow list");
    assertThat(gantry.client.backend().runs().list(null, Set.of(), 1000)).hasSize(before);
  }

  @Test
  void malformedUnknownAndMissingParametersAreRefusedBeforeARunExists() {
    int before = gantry.client.backend().runs().list(null, Set.of(), 1000).size();

    assertThatThrownBy(() -> gantry.run("etl", Map.of("rows", "many")))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("rows")
        .hasMessageContaining("Integer")
        .hasMessageContaining("many");
    assertThatThrownBy(() -> gantry.run("etl", Map.of("colour", "red")))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("colour")
        .hasMessageContaining("rows");
    assertThatThrownBy(() -> gantry.run("greeting", Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("name");
    assertThat(gantry.client.backend().runs().list(null, Set.of(), 1000)).hasSize(before);
  }

  @Test
  void aTamperedBundleFailsTheRunBeforeDeserializing() throws IOException {
    RegisteredFlow flow = gantry.registerExample("dev.gantry.examples.Chatty#chatty");
    Path stored = Path.of(URI.create(flow.location()));
    byte[] bytes = Files.readAllBytes(stored);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(stored, bytes);

    FlowRun done = gantry.awaitEnd(gantry.run("chatty", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("SHA-256").contains(flow.digest()).contains("chatty");
    assertThat(tasks(done)).isEmpty();
  }

  @Test
  void aMissingBundleFailsTheRunSayingToRegisterAgain() throws IOException {
    RegisteredFlow flow =
        gantry.client.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Printer#echoEnv")
                .withStorage(
                    dev.gantry.flow.storage.Local.directory(dir.resolve("gone").toString())));
    Files.delete(Path.of(URI.create(flow.location())));

    FlowRun done = gantry.awaitEnd(gantry.run("echo-env", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("not found").contains("register the flow again");
  }

  @Test
  void aFactoryClassThatIsNotInTheJarsFailsRegistrationNamingIt() {
    assertThatThrownBy(
            () ->
                gantry.client.register(
                    Registration.of(ExamplesJar.path(), "dev.gantry.examples.Missing#flow")))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("dev.gantry.examples.Missing");
  }

  @Test
  void aKilledChildJvmEndsTheRunCrashedNotRunningForever() {
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "60"));
    gantry.awaitState(run.id(), RunState.Running, RUN_TIME);
    await().atMost(RUN_TIME).until(() -> gantry.launcher.childPids().containsKey(run.id()));
    long pid = gantry.launcher.childPids().get(run.id());

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    FlowRun done = gantry.awaitEnd(run.id(), RUN_TIME);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message()).contains("exit code 137").contains("SIGKILL");
    // Its task, RUNNING when the JVM was killed, ends too, saying why.
    TaskRun nap = gantry.client.backend().runs().taskRuns(run.id()).get(0);
    assertThat(nap.state()).isEqualTo(TaskState.FAILED);
    assertThat(nap.endedAt()).isNotNull();
    assertThat(nap.message()).startsWith("run crashed").contains("SIGKILL");
  }

  @Test
  void cancellingARunningRunStopsItsJvmAndEndsCancelled() {
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "60"));
    gantry.awaitState(run.id(), RunState.Running, RUN_TIME);
    await().atMost(RUN_TIME).until(() -> gantry.launcher.childPids().containsKey(run.id()));
    long pid = gantry.launcher.childPids().get(run.id());

    assertThat(gantry.client.cancel(run.id())).isEqualTo(RunState.Cancelling);

    FlowRun done = gantry.awaitEnd(run.id(), RUN_TIME);
    assertThat(done.state()).isEqualTo(RunState.Cancelled);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(tasks(done)).containsEntry("nap", TaskState.CANCELLED);
  }

  @Test
  void aScheduledRunIsCancelledAtOnce() {
    FlowRun run = gantry.client.createRun("sleepy", Map.of(), Set.of("label-no-agent-has"));

    assertThat(gantry.client.cancel(run.id())).isEqualTo(RunState.Cancelled);
    assertThat(gantry.find(run.id()).state()).isEqualTo(RunState.Cancelled);
  }

  @Test
  void aRunWhoseLabelsTheAgentLacksStaysScheduledWhileCoveredRunsProceed() {
    FlowRun uncovered = gantry.client.createRun("etl", Map.of("rows", "1"), Set.of("gpu"));
    FlowRun covered = gantry.run("etl", Map.of("rows", "1"));

    assertThat(gantry.awaitEnd(covered.id(), RUN_TIME).state()).isEqualTo(RunState.Success);
    assertThat(gantry.find(uncovered.id()).state()).isEqualTo(RunState.Scheduled);
    gantry.client.cancel(uncovered.id());
  }

  private List<RunState> history(FlowRun run) {
    return gantry.client.backend().runs().history(run.id()).stream()
        .map(StateChange::state)
        .toList();
  }

  private Map<String, TaskState> tasks(FlowRun run) {
    Map<String, TaskState> out = new java.util.LinkedHashMap<>();
    for (TaskRun task : gantry.client.backend().runs().taskRuns(run.id())) {
      out.put(task.taskName(), task.state());
    }
    return out;
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }
}
