package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.launch.noop.NoopLauncher;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.PostgresSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three agents, each a backend (pool) of its own as separate processes would have, dispatch 10,000
 * runs through the normal claim, launch and finish path while they are being created: every run
 * launches exactly once and ends Success.
 */
class PostgresDispatchTest {
  private static final int RUNS = 10_000;
  private static final int PRODUCERS = 4;

  private PostgresSchema schema;
  private final List<JdbcBackend> backends = new ArrayList<>();
  private final List<NoopLauncher> launchers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void createSchema() {
    schema = PostgresSchema.create();
  }

  @AfterEach
  void stopEverything() {
    agents.forEach(Agent::stop);
    launchers.forEach(NoopLauncher::close);
    backends.forEach(JdbcBackend::close);
    schema.close();
  }

  @Test
  void threeAgentsLaunchTenThousandRunsEachExactlyOnceAndLoseNone() throws Exception {
    JdbcBackend producer = open();
    RegisteredFlow flow = producer.flows().register(noopFlow());
    for (int i = 1; i <= 3; i++) {
      NoopLauncher launcher = new NoopLauncher(Duration.ZERO, 4);
      launchers.add(launcher);
      Agent agent =
          new Agent(
              open(),
              launcher,
              AgentOptions.defaults("dispatch-" + i, Set.of()).withMaxConcurrent(32),
              SecretSource.NONE);
      agents.add(agent);
      agent.start();
    }

    Set<String> created = createRuns(producer, flow);

    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                producer.runs().list(flow.name(), Set.of(RunState.Success), RUNS + 1).size()
                    == RUNS);
    Map<String, Long> launchesPerRun =
        launchers.stream()
            .flatMap(l -> l.launches().stream())
            .collect(Collectors.groupingBy(NoopLauncher.Launch::runId, Collectors.counting()));
    assertThat(launchesPerRun.keySet()).isEqualTo(created);
    assertThat(launchesPerRun.values()).containsOnly(1L);
    Map<String, Integer> perAgent = new HashMap<>();
    for (NoopLauncher launcher : launchers) {
      launcher.launches().forEach(l -> perAgent.merge(l.agentId(), 1, Integer::sum));
    }
    assertThat(perAgent).hasSize(3);
    List<FlowRun> stored = producer.runs().list(flow.name(), Set.of(), RUNS + 1);
    assertThat(stored).hasSize(RUNS).allSatisfy(run -> assertThat(run.attempt()).isEqualTo(1));
    for (FlowRun run : stored.subList(0, 200)) {
      assertThat(producer.runs().history(run.id()))
          .extracting(StateChange::state)
          .containsExactly(
              RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Success);
    }
  }

  /** LISTEN/NOTIFY: the run is launched at once, not at the agent's next poll, 30 s away. */
  @Test
  void anAgentWokenByTheDatabaseLaunchesARunLongBeforeItsNextPoll() {
    JdbcBackend producer = open();
    RegisteredFlow flow = producer.flows().register(noopFlow());
    NoopLauncher launcher = new NoopLauncher(Duration.ZERO, 1);
    launchers.add(launcher);
    Agent agent =
        new Agent(
            open(),
            launcher,
            AgentOptions.defaults("woken", Set.of()).withPollInterval(Duration.ofSeconds(30)),
            SecretSource.NONE);
    agents.add(agent);
    agent.start();
    // The first poll happens at start; wait until the agent is idle in its 30 s wait.
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.readiness().ok());

    for (int i = 0; i < 3; i++) {
      FlowRun run =
          producer.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> launcher.launches().stream().anyMatch(l -> l.runId().equals(run.id())));
    }
  }

  private Set<String> createRuns(JdbcBackend producer, RegisteredFlow flow) throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(PRODUCERS);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < PRODUCERS; t++) {
        work.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < RUNS / PRODUCERS; i++) {
                    ids.add(
                        producer
                            .runs()
                            .create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()))
                            .id());
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    return ids;
  }

  private JdbcBackend open() {
    JdbcBackend backend = JdbcBackend.open(schema.url());
    backends.add(backend);
    return backend;
  }

  static NewFlowVersion noopFlow() {
    return new NewFlowVersion(
        "noop",
        BundleFormat.module,
        "module:com.acme.Flows#noop",
        null,
        "com.acme.Flows#noop",
        null,
        List.of(),
        Set.of(),
        List.of());
  }
}
