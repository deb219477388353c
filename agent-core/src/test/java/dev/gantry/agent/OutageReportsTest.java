package dev.gantry.agent;

import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.NumberedFlow;
import dev.gantry.testing.PostgresSchema;
import dev.gantry.testing.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's connection to PostgreSQL is cut (through a proxy) for longer than the lease while
 * runs of a flow printing numbered lines in three tasks are Running in real child JVMs: once it is
 * back, every task state and every line is stored exactly once and in order, and the times stored
 * are when things happened, not when the database came back.
 */
class OutageReportsTest {
  private static final int RUNS = 6;
  private static final int LINES = 15;
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration OUTAGE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private PostgresSchema schema;
  private TcpProxy proxy;
  private DatabaseGantryClient client;
  private JdbcBackend agentBackend;
  private LocalLauncher launcher;
  private Agent agent;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create();
    proxy = TcpProxy.toServerOf(schema.url());
    // The client reaches PostgreSQL directly; only the agent's connections are cut.
    client = GantryClient.open(new GantryHome(dir), schema.url());
    agentBackend = JdbcBackend.open(proxy.route(schema.url()));
    launcher = new LocalLauncher(LocalGantry.CHILD_JVM);
  }

  @AfterEach
  void stop() throws Exception {
    proxy.restore();
    if (agent != null) {
      agent.stop();
    }
    launcher.close();
    agentBackend.close();
    client.close();
    proxy.close();
    schema.close();
  }

  @Test
  void everyTaskStateAndLogLineOfRunsRunningThroughAnOutageIsStoredOnceInOrder() throws Exception {
    NumberedFlow.register(client, dir, LINES, 200); // about 3 s a task, 9 s a run
    agent =
        new Agent(
            agentBackend,
            launcher,
            LocalGantry.quickOptions("outage")
                .withMaxConcurrent(RUNS)
                .withHeartbeat(Duration.ofMillis(500), LEASE),
            SecretSource.NONE);
    agent.start();
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      runIds.add(client.createRun(NumberedFlow.NAME, Map.of(), Set.of()).id());
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> runIds.stream().allMatch(id -> run(id).state() == RunState.Running));

    Set<ProcessHandle> children = ProcessHandle.current().children().collect(toSet());
    proxy.cut();
    Thread.sleep(OUTAGE.toMillis()); // longer than the lease
    // On a loaded machine the child JVMs may be slower than the outage: keep the database away
    // until at least one run's JVM has ended, so some runs really end during the outage.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> children.stream().anyMatch(child -> !child.isAlive()));
    Thread.sleep(500); // the agent sees the exit as this test does: let it note the end first
    Instant restoredAt = Instant.now();
    proxy.restore();

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> runIds.stream().allMatch(id -> run(id).state().isTerminal()));
    int endedDuringOutage = 0;
    for (String id : runIds) {
      FlowRun done = run(id);
      assertThat(done.state()).as("run %s: %s", id, done.message()).isEqualTo(RunState.Success);
      assertThat(done.attempt()).as("run %s attempt", id).isEqualTo(1);
      List<TaskRun> tasks = client.backend().runs().taskRuns(id);
      assertThat(tasks)
          .as("task runs of run %s", id)
          .extracting(TaskRun::taskName)
          .containsExactlyElementsOf(NumberedFlow.TASKS);
      assertThat(tasks)
          .as("task runs of run %s", id)
          .allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.SUCCESS));
      List<String> lines =
          logs(id).stream()
              .filter(l -> "stdout".equals(l.source()))
              .map(LogRecord::message)
              .toList();
      List<String> expected =
          NumberedFlow.TASKS.stream()
              .flatMap(
                  task ->
                      IntStream.rangeClosed(1, LINES)
                          .mapToObj(i -> NumberedFlow.line(task, i, LINES)))
              .toList();
      assertThat(lines).as("stdout lines of run %s", id).containsExactlyElementsOf(expected);
      // Tasks that ended during the outage keep the time they ended, not the time it was back.
      TaskRun first = tasks.get(0);
      assertThat(first.endedAt()).as("end of task first of run %s", id).isBefore(restoredAt);
      assertThat(tasks.get(1).startedAt()).isAfterOrEqualTo(first.endedAt());
      // So does the run: ended when its last task did, not when the database was back.
      TaskRun last = tasks.get(tasks.size() - 1);
      if (last.endedAt().isBefore(restoredAt)) {
        endedDuringOutage++;
        assertThat(done.endedAt()).as("end of run %s", id).isBefore(restoredAt);
      }
      assertThat(done.endedAt())
          .as("end of run %s", id)
          .isAfterOrEqualTo(last.endedAt())
          .isBefore(last.endedAt().plusSeconds(2));
      StateChange end = client.backend().runs().history(id).get(3);
      assertThat(end.state()).isEqualTo(RunState.Success);
      assertThat(end.at()).as("history end of run %s", id).isEqualTo(done.endedAt());
    }
    assertThat(endedDuringOutage).as("runs that ended during the outage").isPositive();
  }

  private FlowRun run(String id) {
    return client.backend().runs().find(id).orElseThrow();
  }

  private List<LogRecord> logs(String runId) {
    return client.backend().runs().logs(runId, 0, 100_000);
  }
}
