package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.RunStore;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the unit tests of the agent's tasks share: an embedded H2 backend whose run store the test
 * can make fail, a {@link ScriptedLauncher}, a {@link TestClock} and the {@link SupervisedRuns}.
 */
public final class TaskFixture implements AutoCloseable {
  public static final Duration LEASE = Duration.ofSeconds(30);
  public static final Duration BEAT = Duration.ofSeconds(5);

  public final JdbcBackend backend;
  public final TestClock clock = TestClock.atNow();
  public final ScriptedLauncher launcher = new ScriptedLauncher();
  public final SupervisedRuns supervised = new SupervisedRuns();
  public final AgentIdentity agent = new AgentIdentity("agent-1", "unit", Set.of());
  public final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  public volatile boolean stopping;

  /** The run store the tasks use: the backend's, failing while {@link #failures} is positive. */
  public final RunStore runs;

  public final AtomicInteger failures = new AtomicInteger();
  public final EndRecorder ends;
  public final RunTakeover takeover;

  public TaskFixture(Path home) {
    backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
    RunStore real = backend.runs();
    runs =
        (RunStore)
            Proxy.newProxyInstance(
                RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class},
                (proxy, method, args) -> {
                  if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IllegalStateException("the database does not answer");
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    ends =
        new EndRecorder(
            runs,
            supervised,
            retries,
            Duration.ofSeconds(2),
            agent.name(),
            BEAT,
            () -> stopping,
            clock);
    takeover =
        new RunTakeover(
            runs,
            launcher,
            supervised,
            ends,
            new RunSecrets(backend.flows(), SecretSource.NONE),
            agent,
            LEASE,
            clock);
  }

  /** Makes the next {@code calls} calls to the run store fail. */
  public void failNext(int calls) {
    failures.set(calls);
  }

  public RegisteredFlow register(String name, int infrastructureRetries) {
    return backend
        .flows()
        .register(
            new NewFlowVersion(
                name,
                BundleFormat.module,
                "module:com.acme.Flows#" + name,
                null,
                "com.acme.Flows#" + name,
                null,
                List.of(),
                Set.of(),
                List.of(),
                RunPolicy.DEFAULT.withInfrastructureRetries(infrastructureRetries),
                null));
  }

  /** A run due now on the test clock. */
  public FlowRun create(RegisteredFlow flow) {
    return backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), clock.instant()));
  }

  /** Claims the run as {@code agentId} with the fixture's lease from the test clock's now. */
  public FlowRun claimAs(String agentId, FlowRun run) {
    List<FlowRun> claimed = backend.runs().claimDue(agentId, Set.of(), 1, clock.instant(), LEASE);
    assertThat(claimed).extracting(FlowRun::id).containsExactly(run.id());
    return claimed.get(0);
  }

  /** Claims the run for the fixture's agent and supervises it, as a launch would. */
  public SupervisedRun superviseClaimed(FlowRun run) {
    FlowRun claimed = claimAs(agent.id(), run);
    SupervisedRun supervisedRun =
        new SupervisedRun(claimed, new RunReporter(backend.runs(), claimed.fence(), Redactor.NONE));
    supervised.supervise(supervisedRun);
    return supervisedRun;
  }

  public FlowRun find(FlowRun run) {
    return backend.runs().find(run.id()).orElseThrow();
  }

  public RunState state(FlowRun run) {
    return find(run).state();
  }

  @Override
  public void close() {
    retries.shutdownNow();
    backend.close();
  }
}
