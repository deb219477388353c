package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.noop.NoopLauncher;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.PostgresSchema;
import dev.gantry.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is unreachable for 30 s for three agents (their connections go through a proxy that is
 * cut) while runs keep being created and some are in flight: the agents stay alive, report not
 * ready, back off, and resume when it is back; every run ends Success, launched exactly once.
 */
class DatabaseOutageTest {
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(3);

  private PostgresSchema schema;
  private TcpProxy proxy;
  private JdbcBackend producer;
  private final List<JdbcBackend> backends = new ArrayList<>();
  private final List<NoopLauncher> launchers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();
  private final ScheduledExecutorService creating = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create();
    proxy = TcpProxy.toServerOf(schema.url());
    producer = JdbcBackend.open(schema.url());
  }

  @AfterEach
  void stop() throws Exception {
    creating.shutdownNow();
    proxy.restore();
    agents.forEach(Agent::stop);
    launchers.forEach(NoopLauncher::close);
    backends.forEach(JdbcBackend::close);
    producer.close();
    proxy.close();
    schema.close();
  }

  @Test
  void agentsSurviveAThirtySecondOutageBackOffResumeAndLoseNothing() throws Exception {
    RegisteredFlow flow = producer.flows().register(PostgresDispatchTest.noopFlow());
    for (int i = 1; i <= 3; i++) {
      JdbcBackend backend = JdbcBackend.open(proxy.route(schema.url()));
      backends.add(backend);
      // Runs take a moment, so some are in flight when the database goes away.
      NoopLauncher launcher = new NoopLauncher(Duration.ofMillis(300), 2);
      launchers.add(launcher);
      Agent agent =
          new Agent(
              backend,
              launcher,
              new AgentOptions(
                  "outage-" + i,
                  Set.of(),
                  8,
                  Duration.ofMillis(200),
                  Duration.ofSeconds(2),
                  Duration.ofMillis(500),
                  LEASE,
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(5)),
              SecretSource.NONE);
      agents.add(agent);
      agent.start();
    }
    Set<String> created = ConcurrentHashMap.newKeySet();
    // The producer reaches PostgreSQL directly: runs keep arriving during the outage.
    creating.scheduleAtFixedRate(
        () ->
            created.add(
                producer
                    .runs()
                    .create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()))
                    .id()),
        0,
        50,
        TimeUnit.MILLISECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> launchedRuns().size() >= 30);

    proxy.cut();
    Instant cutAt = Instant.now();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> agents.stream().noneMatch(a -> a.readiness().ok()));
    await()
        .pollDelay(OUTAGE.minus(Duration.between(cutAt, Instant.now())))
        .atMost(OUTAGE)
        .until(() -> agents.stream().allMatch(a -> a.liveness().ok()));
    proxy.restore();
    await().atMost(Duration.ofSeconds(5)).until(() -> created.size() > 0);
    creating.shutdown();
    assertThat(creating.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                producer.runs().list(flow.name(), Set.of(RunState.Success), 100_000).size()
                    == created.size());
    assertThat(created.size()).isGreaterThan(600); // 20 a second, before, during and after
    Map<String, Long> launchesPerRun =
        launchers.stream()
            .flatMap(l -> l.launches().stream())
            .collect(Collectors.groupingBy(NoopLauncher.Launch::runId, Collectors.counting()));
    assertThat(launchesPerRun.keySet()).isEqualTo(created);
    assertThat(launchesPerRun.values()).containsOnly(1L);
    assertThat(agents).allSatisfy(a -> assertThat(a.liveness().ok()).isTrue());
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> agents.stream().allMatch(a -> a.readiness().ok()));
  }

  private Set<String> launchedRuns() {
    return launchers.stream()
        .flatMap(l -> l.launches().stream())
        .map(NoopLauncher.Launch::runId)
        .collect(Collectors.toSet());
  }
}
