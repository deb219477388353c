package dev.gantry.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.LabelRule;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import dev.gantry.launch.LaunchPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link Backend} must have, run by one empty-ish subclass per database. Each
 * test starts on an empty database of its own subclass's kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContractTest {

  /** A fixed past instant the tests schedule and claim around. */
  protected static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

  protected Backend backend;

  /** Opens a new backend, with a connection pool of its own, on this suite's database. */
  protected abstract Backend openBackend();

  /** Deletes every row of every Gantry table of this suite's database. */
  protected abstract void deleteAllRows();

  @BeforeEach
  void openEmptyBackend() {
    backend = openBackend();
    deleteAllRows();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  // ---------------------------------------------------------------------------------- flows

  @Test
  void registeringANameAgainAddsTheNextVersion() {
    RegisteredFlow first = register("etl");
    RegisteredFlow second = register("etl");
    RegisteredFlow other = register("report");
    RegisteredFlow third = register("etl");

    assertThat(List.of(first.version(), second.version(), third.version()))
        .containsExactly(1, 2, 3);
    assertThat(other.version()).isEqualTo(1);
    assertThat(backend.flows().latest("etl")).contains(third);
    assertThat(backend.flows().find(first.id())).contains(first);
    assertThat(backend.flows().latest("missing")).isEmpty();
    assertThat(backend.flows().find(third.id() + 1_000)).isEmpty();
  }

  @Test
  void aRegisteredFlowReadsBackWithEveryField() {
    NewFlowVersion version =
        new NewFlowVersion(
            "ingest",
            BundleFormat.source,
            "s3://bundles/ingest.zip?endpoint=http://127.0.0.1:9000",
            "0f".repeat(32),
            "com.acme.Flows#ingest",
            "gantry/flow:17",
            List.of(
                new FlowLabel("s3-flow-storage", LabelSource.storage),
                new FlowLabel("gpu", LabelSource.flow),
                new FlowLabel("eu", LabelSource.registration)),
            Set.of("AWS_CREDENTIALS", "DB_PASSWORD"),
            List.of(
                new ParameterSpec("day", "LocalDate", null, true),
                new ParameterSpec("limit", "Integer", "100", false)));
    Instant before = Instant.now().minusSeconds(1);

    RegisteredFlow registered = backend.flows().register(version);

    assertThat(registered.name()).isEqualTo("ingest");
    assertThat(registered.version()).isEqualTo(1);
    assertThat(registered.format()).isEqualTo(BundleFormat.source);
    assertThat(registered.location()).isEqualTo(version.location());
    assertThat(registered.digest()).isEqualTo(version.digest());
    assertThat(registered.factory()).isEqualTo("com.acme.Flows#ingest");
    assertThat(registered.image()).isEqualTo("gantry/flow:17");
    assertThat(registered.labels()).containsExactlyElementsOf(version.labels());
    assertThat(registered.secrets()).isEqualTo(version.secrets());
    assertThat(registered.parameters()).containsExactlyElementsOf(version.parameters());
    assertThat(registered.registeredAt()).isBetween(before, Instant.now().plusSeconds(1));
    assertThat(backend.flows().find(registered.id())).contains(registered);
  }

  @Test
  void listLatestGivesTheNewestVersionOfEachNameOrderedByName() {
    register("zeta");
    register("alpha");
    RegisteredFlow alpha2 = register("alpha");
    RegisteredFlow mid = register("mid");
    RegisteredFlow zeta2 = register("zeta");

    assertThat(backend.flows().listLatest()).containsExactly(alpha2, mid, zeta2);
  }

  @Test
  void concurrentRegistrationsOfOneNameGetDistinctConsecutiveVersions() throws Exception {
    int threads = 4;
    int perThread = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Integer>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Integer> versions = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    versions.add(register("contended").version());
                  }
                  return versions;
                }));
      }
      List<Integer> versions = new ArrayList<>();
      for (Future<List<Integer>> future : futures) {
        versions.addAll(future.get(60, TimeUnit.SECONDS));
      }
      assertThat(versions)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.rangeClosed(1, threads * perThread).boxed().toList());
    } finally {
      pool.shutdownNow();
    }
  }

  // ----------------------------------------------------------------------------------- runs

  @Test
  void aCreatedRunIsScheduledWithItsLabelsAndParameters() {
    RegisteredFlow flow = register("etl");
    Instant before = Instant.now().minusSeconds(1);

    FlowRun run =
        backend
            .runs()
            .create(
                new NewRun(
                    flow.id(),
                    Set.of("gpu", "eu"),
                    Map.of("day", "2025-03-01", "limit", "10"),
                    T0.plusNanos(123_456_000)));

    assertThat(run.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(run.flowId()).isEqualTo(flow.id());
    assertThat(run.flowName()).isEqualTo("etl");
    assertThat(run.flowVersion()).isEqualTo(1);
    assertThat(run.state()).isEqualTo(RunState.Scheduled);
    assertThat(run.labels()).containsExactlyInAnyOrder("gpu", "eu");
    assertThat(run.parameters()).isEqualTo(Map.of("day", "2025-03-01", "limit", "10"));
    assertThat(run.attempt()).isZero();
    assertThat(run.agentId()).isNull();
    assertThat(run.scheduledAt()).isEqualTo(T0.plusNanos(123_456_000));
    assertThat(run.createdAt()).isBetween(before, Instant.now().plusSeconds(1));
    assertThat(run.updatedAt()).isEqualTo(run.createdAt());
    assertThat(run.startedAt()).isNull();
    assertThat(run.endedAt()).isNull();
    assertThat(run.message()).isNull();
    assertThat(backend.runs().find(run.id())).contains(run);
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state, StateChange::attempt, StateChange::agentId)
        .containsExactly(tuple(RunState.Scheduled, 0, null));
  }

  @Test
  void aRunOfAnUnknownFlowIsRefused() {
    assertThatThrownBy(() -> backend.runs().create(new NewRun(4242, Set.of(), Map.of(), T0)))
        .hasMessageContaining("4242");
    assertThat(backend.runs().list(null, null, 10)).isEmpty();
  }

  @Test
  void anUnknownRunIsNotFound() {
    assertThat(backend.runs().find("00000000-0000-0000-0000-000000000000")).isEmpty();
    assertThat(backend.runs().history("00000000-0000-0000-0000-000000000000")).isEmpty();
    assertThat(backend.runs().taskRuns("00000000-0000-0000-0000-000000000000")).isEmpty();
    assertThat(backend.runs().logs("00000000-0000-0000-0000-000000000000", 0, 10)).isEmpty();
  }

  @Test
  void listGivesNewestFirstAndFiltersByFlowAndState() {
    RegisteredFlow etl = register("etl");
    RegisteredFlow report = register("report");
    FlowRun etl1 = schedule(etl, Set.of(), T0);
    FlowRun report1 = schedule(report, Set.of(), T0);
    FlowRun etl2 = schedule(etl, Set.of("x"), T0);
    FlowRun etl3 = schedule(etl, Set.of(), T0);
    backend.runs().requestCancel(etl3.id(), "not needed");

    assertThat(ids(backend.runs().list(null, null, 10)))
        .containsExactly(etl3.id(), etl2.id(), report1.id(), etl1.id());
    assertThat(ids(backend.runs().list(null, Set.of(), 2))).containsExactly(etl3.id(), etl2.id());
    assertThat(ids(backend.runs().list("etl", null, 10)))
        .containsExactly(etl3.id(), etl2.id(), etl1.id());
    assertThat(ids(backend.runs().list("etl", Set.of(RunState.Scheduled), 10)))
        .containsExactly(etl2.id(), etl1.id());
    assertThat(ids(backend.runs().list(null, Set.of(RunState.Cancelled, RunState.Running), 10)))
        .containsExactly(etl3.id());
    assertThat(backend.runs().list("nothing", null, 10)).isEmpty();
    assertThat(backend.runs().list(null, null, 10).get(1)).isEqualTo(etl2);
  }

  // ------------------------------------------------------------------------------ label rule

  static Stream<Arguments> labelRuleCases() {
    return Stream.of(
        Arguments.of("unlabeled run, unlabeled agent", Set.of(), Set.of(), true),
        Arguments.of("unlabeled run, labeled agent", Set.of(), Set.of("gpu"), false),
        Arguments.of("labeled run, unlabeled agent", Set.of("gpu"), Set.of(), false),
        Arguments.of("same labels", Set.of("gpu", "eu"), Set.of("gpu", "eu"), true),
        Arguments.of("agent has more labels", Set.of("gpu"), Set.of("gpu", "eu", "big"), true),
        Arguments.of("agent lacks one run label", Set.of("gpu", "eu"), Set.of("gpu"), false),
        Arguments.of("disjoint labels", Set.of("gpu"), Set.of("eu"), false),
        Arguments.of("overlapping labels", Set.of("gpu", "eu"), Set.of("eu", "big"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labelRuleCases")
  void aClaimFollowsTheLabelRule(
      String description, Set<String> runLabels, Set<String> agentLabels, boolean taken) {
    assertThat(LabelRule.agentTakes(agentLabels, runLabels)).isEqualTo(taken);
    FlowRun run = schedule(register("etl"), runLabels, T0);

    List<FlowRun> claimed = backend.runs().claimDue("agent-1", agentLabels, 10, T0);

    assertThat(ids(claimed)).isEqualTo(taken ? List.of(run.id()) : List.of());
    assertThat(backend.runs().find(run.id()).orElseThrow().state())
        .isEqualTo(taken ? RunState.Submitted : RunState.Scheduled);
  }

  @Test
  void claimsAgreeWithTheLabelRuleForEveryCombinationOfLabels() {
    List<Set<String>> labelSets = subsetsOf(List.of("gpu", "eu", "big"));
    RegisteredFlow flow = register("etl");
    for (int i = 0; i < labelSets.size(); i++) {
      Set<String> agentLabels = labelSets.get(i);
      // Each round schedules earlier than the last, so the runs left over are not due yet.
      Instant due = T0.minus(Duration.ofHours(i));
      Map<String, Set<String>> labelsByRun = new HashMap<>();
      for (Set<String> runLabels : labelSets) {
        labelsByRun.put(schedule(flow, runLabels, due).id(), runLabels);
      }

      List<FlowRun> claimed = backend.runs().claimDue("agent-" + i, agentLabels, 100, due);

      Set<String> expected =
          labelsByRun.entrySet().stream()
              .filter(e -> LabelRule.agentTakes(agentLabels, e.getValue()))
              .map(Map.Entry::getKey)
              .collect(Collectors.toSet());
      assertThat(ids(claimed)).as("agent labels %s", agentLabels).hasSameElementsAs(expected);
    }
  }

  // -------------------------------------------------------------------------------- claiming

  @Test
  void aClaimTakesTheOldestDueRunsUpToMax() {
    RegisteredFlow flow = register("etl");
    List<FlowRun> due = new ArrayList<>();
    for (int i = 5; i >= 1; i--) {
      due.add(schedule(flow, Set.of(), T0.minusSeconds(i)));
    }
    FlowRun later = schedule(flow, Set.of(), T0.plusSeconds(60));

    assertThat(backend.runs().claimDue("agent-1", Set.of(), 0, T0)).isEmpty();
    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 3, T0)))
        .containsExactlyElementsOf(ids(due.subList(0, 3)));
    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 10, T0)))
        .containsExactlyElementsOf(ids(due.subList(3, 5)));
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0.plusSeconds(59))).isEmpty();
    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 10, T0.plusSeconds(60))))
        .containsExactly(later.id());
  }

  @Test
  void aClaimMovesTheRunToSubmittedWithTheNextAttemptForTheAgent() {
    FlowRun run = schedule(register("etl"), Set.of("gpu"), T0);
    Instant now = T0.plusMillis(1500);

    List<FlowRun> claimed = backend.runs().claimDue("agent-1", Set.of("gpu"), 1, now);

    assertThat(claimed).hasSize(1);
    FlowRun submitted = claimed.get(0);
    assertThat(submitted.state()).isEqualTo(RunState.Submitted);
    assertThat(submitted.attempt()).isEqualTo(1);
    assertThat(submitted.agentId()).isEqualTo("agent-1");
    assertThat(submitted.updatedAt()).isEqualTo(now);
    assertThat(submitted.labels()).containsExactly("gpu");
    assertThat(submitted.fence()).isEqualTo(new RunFence(run.id(), 1, "agent-1"));
    assertThat(backend.runs().find(run.id())).contains(submitted);
    assertThat(backend.runs().claimDue("agent-2", Set.of("gpu"), 1, now)).isEmpty();
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state, StateChange::attempt, StateChange::agentId)
        .containsExactly(
            tuple(RunState.Scheduled, 0, null), tuple(RunState.Submitted, 1, "agent-1"));
    assertThat(backend.runs().history(run.id()).get(1).at()).isEqualTo(now);
  }

  @Test
  void aRunScheduledAgainIsClaimedWithTheNextAttempt() {
    FlowRun run = schedule(register("etl"), Set.of(), T0);
    FlowRun first = claimOne("agent-1", Set.of());
    assertThat(backend.runs().transition(first.fence(), RunState.Scheduled, "image pull failed"))
        .isTrue();

    FlowRun second = claimOne("agent-2", Set.of());

    assertThat(second.id()).isEqualTo(run.id());
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.agentId()).isEqualTo("agent-2");
    assertThat(second.message()).isNull();
  }

  // ----------------------------------------------------------------------------- transitions

  @Test
  void aRunWalksThroughItsLifeWithLegalTransitions() {
    FlowRun run = schedule(register("etl"), Set.of(), T0);
    FlowRun claimed = claimOne("agent-1", Set.of());
    Instant beforeStart = Instant.now().minusSeconds(1);

    assertThat(backend.runs().transition(claimed.fence(), RunState.Running, "started")).isTrue();
    FlowRun running = backend.runs().find(run.id()).orElseThrow();
    assertThat(running.state()).isEqualTo(RunState.Running);
    assertThat(running.message()).isEqualTo("started");
    assertThat(running.startedAt()).isBetween(beforeStart, Instant.now().plusSeconds(1));
    assertThat(running.updatedAt()).isEqualTo(running.startedAt());
    assertThat(running.endedAt()).isNull();

    assertThat(backend.runs().transition(claimed.fence(), RunState.Success, null)).isTrue();
    FlowRun done = backend.runs().find(run.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(RunState.Success);
    assertThat(done.message()).isNull();
    assertThat(done.startedAt()).isEqualTo(running.startedAt());
    assertThat(done.endedAt()).isAfterOrEqualTo(running.startedAt());
    assertThat(done.attempt()).isEqualTo(1);

    List<StateChange> history = backend.runs().history(run.id());
    assertThat(history)
        .extracting(StateChange::state)
        .containsExactly(
            RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Success);
    assertThat(history).extracting(StateChange::runId).containsOnly(run.id());
    assertThat(history.subList(1, 4)).extracting(StateChange::attempt).containsOnly(1);
    assertThat(history.subList(1, 4)).extracting(StateChange::agentId).containsOnly("agent-1");
    assertThat(history.get(2).message()).isEqualTo("started");
    assertThat(history.get(2).at()).isEqualTo(running.startedAt());
    assertThat(history.get(3).at()).isEqualTo(done.endedAt());
  }

  @Test
  void aTransitionWrittenLateKeepsTheTimeItHappenedInTheRunAndItsHistory() throws Exception {
    FlowRun run = schedule(register("etl"), Set.of(), T0);
    FlowRun claimed = claimOne("agent-1", Set.of());
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Thread.sleep(20);
    Instant endedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Thread.sleep(200); // the database was away; both are written now

    assertThat(backend.runs().transition(claimed.fence(), RunState.Running, null, startedAt))
        .isTrue();
    assertThat(backend.runs().transition(claimed.fence(), RunState.Success, null, endedAt))
        .isTrue();

    FlowRun done = backend.runs().find(run.id()).orElseThrow();
    assertThat(done.startedAt()).isEqualTo(startedAt);
    assertThat(done.endedAt()).isEqualTo(endedAt);
    assertThat(done.updatedAt()).isEqualTo(endedAt);
    List<StateChange> history = backend.runs().history(run.id());
    assertThat(history.get(2).at()).isEqualTo(startedAt);
    assertThat(history.get(3).at()).isEqualTo(endedAt);
  }

  @Test
  void aReportedTimeIsKeptAfterTheRunsLastChangeAndNotInTheFuture() {
    FlowRun run = schedule(register("etl"), Set.of(), T0);
    FlowRun claimed = claimOne("agent-1", Set.of());
    Instant claimedAt = backend.runs().find(run.id()).orElseThrow().updatedAt();

    // An agent clock behind the database's: not before the claim.
    assertThat(
            backend
                .runs()
                .transition(
                    claimed.fence(), RunState.Running, null, claimedAt.minus(Duration.ofHours(1))))
        .isTrue();
    assertThat(backend.runs().find(run.id()).orElseThrow().startedAt()).isEqualTo(claimedAt);
    // An agent clock ahead: not after now.
    assertThat(
            backend
                .runs()
                .transition(
                    claimed.fence(), RunState.Failed, "x", Instant.now().plus(Duration.ofHours(1))))
        .isTrue();
    FlowRun done = backend.runs().find(run.id()).orElseThrow();
    assertThat(done.endedAt()).isBetween(claimedAt, Instant.now().plusSeconds(1));
    // From the claim on (the test claims at T0, before the run was created).
    List<StateChange> history = backend.runs().history(run.id());
    assertThat(history.subList(1, history.size()))
        .extracting(StateChange::at)
        .isSortedAccordingTo(Comparator.naturalOrder());
  }

  @Test
  void aCrashWrittenLateKeepsTheTimeItCrashedAndIsScheduledAgainNow() throws Exception {
    RegisteredFlow flow = register("etl", RunPolicy.DEFAULT.withInfrastructureRetries(1));
    FlowRun run = schedule(flow, Set.of(), T0);
    FlowRun claimed = claimOne("agent-1", Set.of());
    backend.runs().transition(claimed.fence(), RunState.Running, null);
    Instant crashedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Thread.sleep(200);

    assertThat(backend.runs().rescheduleAfterCrash(claimed.fence(), "killed", crashedAt))
        .isPresent();

    List<StateChange> history = backend.runs().history(run.id());
    assertThat(history.get(3).state()).isEqualTo(RunState.Crashed);
    assertThat(history.get(3).at()).isEqualTo(crashedAt);
    assertThat(history.get(4).state()).isEqualTo(RunState.Scheduled);
    assertThat(history.get(4).at()).isAfter(crashedAt.plusMillis(150));
  }

  @Test
  void endingAnAttemptEndsItsOpenTasksSayingWhyInTheSameWrite() {
    RegisteredFlow flow = register("etl", RunPolicy.DEFAULT.withInfrastructureRetries(1));
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    for (RunState end :
        List.of(RunState.Crashed, RunState.Cancelled, RunState.Failed, RunState.Scheduled)) {
      // Scheduled again only from Submitted (an attempt that never reported it started).
      RunState from = end == RunState.Scheduled ? RunState.Submitted : RunState.Running;
      FlowRun run = runIn(from, flow, "agent-" + end);
      record(run.fence(), "done", TaskState.SUCCESS, 1, T0, null);
      record(run.fence(), "busy", TaskState.RUNNING, 2, T0, null);
      record(run.fence(), "waiting", TaskState.PENDING, 1, T0, null);

      assertThat(backend.runs().transition(run.fence(), end, "node lost", at)).isTrue();

      TaskState closed = end == RunState.Cancelled ? TaskState.CANCELLED : TaskState.FAILED;
      String why =
          switch (end) {
            case Crashed -> "run crashed: node lost";
            case Cancelled -> "run cancelled: node lost";
            case Failed -> "run failed: node lost";
            default -> "run attempt ended: node lost";
          };
      List<TaskRun> tasks = taskRunsOfAttempt(run);
      assertThat(tasks)
          .as("tasks of a run ended %s", end)
          .extracting(TaskRun::taskName, TaskRun::state, TaskRun::taskAttempt)
          .containsExactly(
              tuple("done", TaskState.SUCCESS, 1),
              tuple("busy", closed, 2),
              tuple("waiting", closed, 1));
      assertThat(tasks.get(0).message()).isNull();
      assertThat(tasks.get(1).message()).isEqualTo(why + " (the task was RUNNING)");
      assertThat(tasks.get(2).message()).isEqualTo(why + " (the task was PENDING)");
      assertThat(tasks.subList(1, 3)).extracting(TaskRun::endedAt).containsOnly(at);
    }
    FlowRun crashed = runIn(RunState.Running, flow, "agent-retried");
    record(crashed.fence(), "busy", TaskState.RUNNING, 1, T0, null);
    assertThat(backend.runs().rescheduleAfterCrash(crashed.fence(), "OOMKilled", at)).isPresent();
    assertThat(taskRunsOfAttempt(crashed))
        .extracting(TaskRun::state, TaskRun::message)
        .containsExactly(tuple(TaskState.FAILED, "run crashed: OOMKilled (the task was RUNNING)"));
  }

  /** The task runs of the run's attempt {@code run.attempt()}, even once it was scheduled again. */
  private List<TaskRun> taskRunsOfAttempt(FlowRun run) {
    FlowRun now = backend.runs().find(run.id()).orElseThrow();
    if (now.attempt() == run.attempt()) {
      return backend.runs().taskRuns(run.id());
    }
    throw new AssertionError("run " + run.id() + " moved to attempt " + now.attempt());
  }

  @Test
  void transitionsFollowTheLegalMovesOfRunStateAndIllegalOnesWriteNothing() {
    RegisteredFlow flow = register("etl");
    List<RunState> from = EnumSet.allOf(RunState.class).stream().toList();
    int pair = 0;
    for (RunState start : from) {
      for (RunState to : RunState.values()) {
        String label = "pair-" + pair++;
        FlowRun run = runIn(start, flow, label);
        List<StateChange> historyBefore = backend.runs().history(run.id());

        boolean moved = backend.runs().transition(run.fence(), to, "to " + to);

        FlowRun after = backend.runs().find(run.id()).orElseThrow();
        List<StateChange> historyAfter = backend.runs().history(run.id());
        String move = start + " -> " + to;
        assertThat(moved).as(move).isEqualTo(start.canMoveTo(to));
        if (moved) {
          assertThat(after.state()).as(move).isEqualTo(to);
          assertThat(after.endedAt() != null).as(move + " ended").isEqualTo(to.isTerminal());
          assertThat(historyAfter).as(move).hasSize(historyBefore.size() + 1);
          assertThat(historyAfter.get(historyAfter.size() - 1).state()).as(move).isEqualTo(to);
        } else {
          assertThat(after).as(move).isEqualTo(run);
          assertThat(historyAfter).as(move).isEqualTo(historyBefore);
        }
      }
    }
  }

  // --------------------------------------------------------------------------------- fencing

  @Test
  void aStaleAttemptOrAnotherAgentCannotWriteAnything() {
    FlowRun run = schedule(register("etl"), Set.of(), T0);
    FlowRun first = claimOne("agent-1", Set.of());
    backend.runs().transition(first.fence(), RunState.Scheduled, "node lost");
    FlowRun second = claimOne("agent-2", Set.of());
    List<StateChange> history = backend.runs().history(run.id());

    RunFence staleAttempt = first.fence();
    RunFence otherAgent = new RunFence(run.id(), second.attempt(), "agent-1");
    RunFence unknownRun = new RunFence("00000000-0000-0000-0000-000000000000", 1, "agent-1");
    for (RunFence stale : List.of(staleAttempt, otherAgent, unknownRun)) {
      assertThat(backend.runs().transition(stale, RunState.Running, null))
          .as("%s", stale)
          .isFalse();
      assertThat(backend.runs().transition(stale, RunState.Crashed, "presumed dead"))
          .as("%s", stale)
          .isFalse();
      assertThat(backend.runs().recordTaskState(stale, taskUpdate("extract", TaskState.RUNNING)))
          .as("%s", stale)
          .isFalse();
      assertThat(backend.runs().appendLogs(stale, List.of(log("late line"))))
          .as("%s", stale)
          .isFalse();
    }

    assertThat(backend.runs().find(run.id())).contains(second);
    assertThat(backend.runs().history(run.id())).isEqualTo(history);
    assertThat(backend.runs().taskRuns(run.id())).isEmpty();
    assertThat(backend.runs().logs(run.id(), 0, 100)).isEmpty();

    assertThat(backend.runs().transition(second.fence(), RunState.Running, null)).isTrue();
    assertThat(backend.runs().appendLogs(second.fence(), List.of(log("current line")))).isTrue();
    assertThat(backend.runs().logs(run.id(), 0, 100))
        .extracting(LogRecord::message)
        .containsExactly("current line");
  }

  // -------------------------------------------------------------------------------- adoption

  @Test
  void adoptionHandsTheCurrentAttemptToTheNewAgentAndFencesOutTheOldOne() {
    FlowRun running = runIn(RunState.Running, register("etl"), "old-agent");

    Optional<RunFence> adopted =
        backend
            .runs()
            .adopt(
                running.fence(), "new-agent", "old-agent stopped heartbeating", T0.plusSeconds(90));

    assertThat(adopted).contains(new RunFence(running.id(), running.attempt(), "new-agent"));
    FlowRun after = backend.runs().find(running.id()).orElseThrow();
    assertThat(after.state()).isEqualTo(RunState.Running);
    assertThat(after.agentId()).isEqualTo("new-agent");
    assertThat(after.attempt()).isEqualTo(running.attempt());
    assertThat(backend.runs().history(running.id()))
        .last()
        .satisfies(
            change -> {
              assertThat(change.agentId()).isEqualTo("new-agent");
              assertThat(change.message()).isEqualTo("old-agent stopped heartbeating");
            });
    assertThat(backend.runs().transition(running.fence(), RunState.Crashed, "stale")).isFalse();
    assertThat(backend.runs().adopt(running.fence(), "third-agent", "late", T0)).isEmpty();
    assertThat(backend.runs().expiredLeases("docker", T0.plusSeconds(89))).isEmpty();
    assertThat(backend.runs().expiredLeases("docker", T0.plusSeconds(91)))
        .extracting(FlowRun::id)
        .containsExactly(running.id());
    assertThat(backend.runs().transition(adopted.get(), RunState.Success, null)).isTrue();
  }

  @Test
  void onlyActiveRunsCanBeAdopted() {
    RegisteredFlow flow = register("etl");
    FlowRun done = runIn(RunState.Success, flow, "agent-a");

    assertThat(backend.runs().adopt(done.fence(), "agent-b", "late", T0)).isEmpty();
    assertThat(backend.runs().find(done.id()).orElseThrow().agentId()).isEqualTo("agent-a");
  }

  @Test
  void theNewestLogTimeIsKnownPerRun() {
    FlowRun running = runIn(RunState.Running, register("etl"), "agent-a");
    assertThat(backend.runs().latestLogAt(running.id())).isEmpty();

    backend
        .runs()
        .appendLogs(
            running.fence(),
            List.of(
                new LogRecord(0, null, T0.plusSeconds(5), "INFO", "stdout", null, "later"),
                new LogRecord(0, null, T0.plusSeconds(1), "INFO", "stdout", null, "earlier")));

    assertThat(backend.runs().latestLogAt(running.id())).contains(T0.plusSeconds(5));
  }

  // ---------------------------------------------------------------------------------- cancel

  @Test
  void cancellingAScheduledRunEndsItAtOnce() {
    FlowRun run = schedule(register("etl"), Set.of(), T0);

    assertThat(backend.runs().requestCancel(run.id(), "cancelled by alice"))
        .contains(RunState.Cancelled);

    FlowRun cancelled = backend.runs().find(run.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(RunState.Cancelled);
    assertThat(cancelled.endedAt()).isNotNull();
    assertThat(cancelled.message()).isEqualTo("cancelled by alice");
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state, StateChange::message)
        .containsExactly(
            tuple(RunState.Scheduled, null), tuple(RunState.Cancelled, "cancelled by alice"));
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).isEmpty();
  }

  @Test
  void cancellingASubmittedOrRunningRunAsksItsAgentToEnforceIt() {
    RegisteredFlow flow = register("etl");
    FlowRun submitted = runIn(RunState.Submitted, flow, "a");
    FlowRun running = runIn(RunState.Running, flow, "b");

    assertThat(backend.runs().requestCancel(submitted.id(), "stop")).contains(RunState.Cancelling);
    assertThat(backend.runs().requestCancel(running.id(), "stop")).contains(RunState.Cancelling);

    FlowRun cancelling = backend.runs().find(running.id()).orElseThrow();
    assertThat(cancelling.state()).isEqualTo(RunState.Cancelling);
    assertThat(cancelling.endedAt()).isNull();
    assertThat(cancelling.attempt()).isEqualTo(running.attempt());
    assertThat(cancelling.agentId()).isEqualTo(running.agentId());
    assertThat(backend.runs().runsOfAgent(running.agentId(), Set.of(RunState.Cancelling)))
        .extracting(FlowRun::id)
        .containsExactly(running.id());
    assertThat(backend.runs().transition(running.fence(), RunState.Running, null)).isFalse();
    assertThat(backend.runs().transition(running.fence(), RunState.Cancelled, "stopped")).isTrue();
    FlowRun cancelled = backend.runs().find(running.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(RunState.Cancelled);
    assertThat(cancelled.endedAt()).isNotNull();
    assertThat(backend.runs().history(running.id()))
        .extracting(StateChange::state)
        .containsExactly(
            RunState.Scheduled,
            RunState.Submitted,
            RunState.Running,
            RunState.Cancelling,
            RunState.Cancelled);
  }

  @Test
  void cancellingAgainOrAfterTheEndChangesNothing() {
    RegisteredFlow flow = register("etl");
    FlowRun cancelling = runIn(RunState.Cancelling, flow, "a");
    FlowRun succeeded = runIn(RunState.Success, flow, "b");
    FlowRun crashed = runIn(RunState.Crashed, flow, "c");

    for (FlowRun run : List.of(cancelling, succeeded, crashed)) {
      List<StateChange> history = backend.runs().history(run.id());
      assertThat(backend.runs().requestCancel(run.id(), "again")).contains(run.state());
      assertThat(backend.runs().find(run.id())).contains(run);
      assertThat(backend.runs().history(run.id())).isEqualTo(history);
    }
    assertThat(backend.runs().requestCancel("00000000-0000-0000-0000-000000000000", "x")).isEmpty();
  }

  // ------------------------------------------------------------------------------- task runs

  @Test
  void taskRunsKeepTheLatestStateOfEachTaskInOrderOfFirstReport() {
    RegisteredFlow flow = register("etl");
    FlowRun run = runIn(RunState.Running, flow, "a");
    RunFence fence = run.fence();
    Instant t = T0.plusSeconds(10);

    record(fence, "load", TaskState.PENDING, 1, t, null);
    record(fence, "extract", TaskState.RUNNING, 1, t.plusSeconds(1), null);
    record(fence, "extract", TaskState.SUCCESS, 1, t.plusSeconds(2), "42 rows");
    record(fence, "load", TaskState.RUNNING, 1, t.plusSeconds(3), null);
    record(fence, "load", TaskState.RETRYING, 1, t.plusSeconds(4), "connection reset");
    record(fence, "load", TaskState.RUNNING, 2, t.plusSeconds(5), null);
    record(fence, "load", TaskState.FAILED, 2, t.plusSeconds(6), "connection reset");

    assertThat(backend.runs().taskRuns(run.id()))
        .containsExactly(
            new TaskRun(
                run.id(),
                "load",
                TaskState.FAILED,
                2,
                t.plusSeconds(3),
                t.plusSeconds(6),
                "connection reset"),
            new TaskRun(
                run.id(),
                "extract",
                TaskState.SUCCESS,
                1,
                t.plusSeconds(1),
                t.plusSeconds(2),
                "42 rows"));
  }

  @Test
  void aNewAttemptStartsWithNoTaskRuns() {
    RegisteredFlow flow = register("etl");
    FlowRun run = schedule(flow, Set.of(), T0);
    FlowRun first = claimOne("agent-1", Set.of());
    record(first.fence(), "extract", TaskState.RUNNING, 1, T0, null);
    assertThat(backend.runs().taskRuns(run.id()))
        .extracting(TaskRun::taskName)
        .containsExactly("extract");
    backend.runs().transition(first.fence(), RunState.Scheduled, "container vanished");

    FlowRun second = claimOne("agent-1", Set.of());

    assertThat(backend.runs().taskRuns(run.id())).isEmpty();
    record(second.fence(), "load", TaskState.PENDING, 1, T0, null);
    assertThat(backend.runs().taskRuns(run.id()))
        .extracting(TaskRun::taskName, TaskRun::state)
        .containsExactly(tuple("load", TaskState.PENDING));
  }

  // ------------------------------------------------------------------------------------ logs

  @Test
  void logsComeBackInOrderAndPageWithAfterId() {
    RegisteredFlow flow = register("etl");
    FlowRun run = runIn(RunState.Running, flow, "a");
    FlowRun other = runIn(RunState.Running, flow, "b");
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      records.add(
          new LogRecord(
              999,
              "ignored",
              T0.plusMillis(i),
              i % 2 == 0 ? "INFO" : "WARN",
              "com.acme.Etl",
              i % 3 == 0 ? "extract" : null,
              "line " + i));
    }
    assertThat(backend.runs().appendLogs(run.fence(), records.subList(0, 20))).isTrue();
    assertThat(backend.runs().appendLogs(other.fence(), List.of(log("other run")))).isTrue();
    assertThat(backend.runs().appendLogs(run.fence(), records.subList(20, 25))).isTrue();
    assertThat(backend.runs().appendLogs(run.fence(), List.of())).isTrue();

    List<LogRecord> read = new ArrayList<>();
    long afterId = 0;
    List<Integer> pageSizes = new ArrayList<>();
    while (true) {
      List<LogRecord> page = backend.runs().logs(run.id(), afterId, 10);
      pageSizes.add(page.size());
      if (page.isEmpty()) {
        break;
      }
      read.addAll(page);
      afterId = page.get(page.size() - 1).id();
    }

    assertThat(pageSizes).containsExactly(10, 10, 5, 0);
    assertThat(read).extracting(LogRecord::id).isSorted().doesNotHaveDuplicates();
    assertThat(read).extracting(LogRecord::runId).containsOnly(run.id());
    for (int i = 0; i < 25; i++) {
      LogRecord expected = records.get(i);
      assertThat(read.get(i))
          .isEqualTo(
              new LogRecord(
                  read.get(i).id(),
                  run.id(),
                  expected.at(),
                  expected.level(),
                  expected.source(),
                  expected.taskName(),
                  expected.message()));
    }
    assertThat(backend.runs().logs(run.id(), read.get(24).id(), 10)).isEmpty();
    assertThat(backend.runs().logs(run.id(), read.get(4).id(), 3))
        .containsExactlyElementsOf(read.subList(5, 8));
  }

  @Test
  void overlongOrUnusualTextIsCutToFitNotRefused() {
    RegisteredFlow flow = register("etl");
    FlowRun run = runIn(RunState.Running, flow, "a");
    String hugeLine = "x".repeat(200_000);
    // The stores keep 32,000 chars of a log line; an emoji (a surrogate pair) straddling that cut
    // must not be split into half a character.
    String emojiAtTheCut = "y".repeat(31_999) + "\uD83D\uDE00" + "tail";
    String withNul = "before\u0000after";

    assertThat(
            backend
                .runs()
                .appendLogs(run.fence(), List.of(log(hugeLine), log(emojiAtTheCut), log(withNul))))
        .isTrue();
    assertThat(backend.runs().transition(run.fence(), RunState.Failed, "m".repeat(10_000)))
        .isTrue();

    List<String> messages =
        backend.runs().logs(run.id(), 0, 10).stream().map(LogRecord::message).toList();
    assertThat(messages.get(0)).hasSizeLessThan(hugeLine.length()).startsWith("xxxxxxxx");
    assertThat(hugeLine).startsWith(messages.get(0));
    assertThat(messages.get(1)).isEqualTo("y".repeat(31_999));
    assertThat(messages.get(2)).startsWith("before").endsWith("after").doesNotContain("\u0000");
    String runMessage = backend.runs().find(run.id()).orElseThrow().message();
    assertThat(runMessage).hasSizeLessThan(10_000).matches("m+");
  }

  // ---------------------------------------------------------------------------------- agents

  @Test
  void anAgentIsRecordedRenewedAndStopped() {
    AgentInfo agent = agent("agent-1", "docker", Set.of("gpu", "eu"), T0);
    backend.agents().register(agent);
    assertThat(backend.agents().find("agent-1")).contains(agent);

    backend.agents().heartbeat("agent-1", T0.plusSeconds(10), 3);
    AgentInfo renewed = backend.agents().find("agent-1").orElseThrow();
    assertThat(renewed.heartbeatAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(renewed.running()).isEqualTo(3);
    assertThat(renewed.stoppedAt()).isNull();

    backend.agents().markStopped("agent-1", T0.plusSeconds(20));
    assertThat(backend.agents().find("agent-1").orElseThrow().stoppedAt())
        .isEqualTo(T0.plusSeconds(20));
    assertThat(backend.agents().find("agent-2")).isEmpty();
  }

  @Test
  void agentsAreListedMostRecentHeartbeatFirst() {
    backend.agents().register(agent("old", "local", Set.of(), T0));
    backend.agents().register(agent("new", "local", Set.of(), T0.plusSeconds(5)));
    backend.agents().register(agent("renewed", "docker", Set.of(), T0));
    backend.agents().heartbeat("renewed", T0.plusSeconds(60), 0);

    assertThat(backend.agents().list())
        .extracting(AgentInfo::id)
        .containsExactly("renewed", "new", "old");
  }

  @Test
  void aHeartbeatOfAnUnknownAgentFails() {
    assertThatThrownBy(() -> backend.agents().heartbeat("ghost", T0, 0))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("ghost");
  }

  @Test
  void anAgentsPublishedPolicyIsStoredAndReadBackAndAnAgentWithoutOneHasNone() {
    LaunchPolicy bounded =
        new LaunchPolicy(
            List.of("registry.acme/etl/", "registry.acme/ml/"),
            1024L * 1024 * 1024,
            1500L,
            Set.of("etl", "batch", "reports"),
            true,
            false,
            true,
            false);
    backend.agents().register(agent("bounded", "docker", Set.of("etl"), T0), bounded);
    backend.agents().register(agent("defaults", "docker", Set.of("etl"), T0), LaunchPolicy.DEFAULT);
    backend.agents().register(agent("unbounded", "local", Set.of(), T0));

    assertThat(backend.agents().policies())
        .containsOnlyKeys("bounded", "defaults")
        .containsEntry("bounded", bounded)
        .containsEntry("defaults", LaunchPolicy.DEFAULT);
    assertThat(backend.agents().find("bounded"))
        .contains(agent("bounded", "docker", Set.of("etl"), T0));

    // A restart with the same id and no policy publishes none.
    backend.agents().register(agent("bounded", "docker", Set.of("etl"), T0.plusSeconds(5)));
    assertThat(backend.agents().policies()).containsOnlyKeys("defaults");
  }

  @Test
  void orphanedRunsAreActiveRunsWhoseLeaseExpiredOrWhoseAgentStoppedForTheKind() {
    RegisteredFlow flow = register("etl");
    backend.agents().register(agent("silent", "docker", Set.of("silent"), T0));
    backend.agents().register(agent("alive", "docker", Set.of("alive"), T0));
    backend.agents().register(agent("stopped", "docker", Set.of("stopped"), T0));
    backend.agents().markStopped("stopped", T0.plusSeconds(2));
    backend.agents().register(agent("k8s", "kubernetes", Set.of("k8s"), T0));

    // Claimed at T0 with the default lease: held until T0 + 30 s.
    FlowRun silentSubmitted = runIn(RunState.Submitted, flow, "silent");
    FlowRun silentRunning = runIn(RunState.Running, flow, "silent");
    FlowRun silentCancelling = runIn(RunState.Cancelling, flow, "silent");
    runIn(RunState.Success, flow, "silent");
    runIn(RunState.Crashed, flow, "silent");
    FlowRun alive = runIn(RunState.Running, flow, "alive");
    FlowRun stoppedRunning = runIn(RunState.Running, flow, "stopped");
    FlowRun vanished = runIn(RunState.Running, flow, "vanished");
    runIn(RunState.Running, flow, "k8s");
    schedule(flow, Set.of(), T0);
    assertThat(backend.runs().renewLeases("alive", List.of(alive.id()), Duration.ofMinutes(5)))
        .containsExactly(alive.id());

    assertThat(backend.runs().expiredLeases("docker", T0.plusSeconds(60)))
        .extracting(FlowRun::id)
        .containsExactlyInAnyOrder(
            silentSubmitted.id(),
            silentRunning.id(),
            silentCancelling.id(),
            stoppedRunning.id(),
            vanished.id());
    assertThat(backend.runs().expiredLeases("docker", T0.plusSeconds(10)))
        .extracting(FlowRun::id)
        .containsExactly(stoppedRunning.id());
    assertThat(backend.runs().expiredLeases("kubernetes", T0.plusSeconds(60)))
        .extracting(FlowRun::flowName, FlowRun::agentId)
        .contains(tuple("etl", "k8s"), tuple("etl", "vanished"))
        .doesNotContain(tuple("etl", "silent"));
  }

  @Test
  void aClaimHoldsALeaseThatOnlyTheCurrentAgentRenewsForItsActiveRuns() {
    RegisteredFlow flow = register("etl");
    FlowRun first = schedule(flow, Set.of(), T0.minusMillis(2));
    FlowRun second = schedule(flow, Set.of(), T0.minusMillis(1));
    FlowRun done = schedule(flow, Set.of(), T0);
    backend.agents().register(agent("agent-1", "local", Set.of(), T0));
    List<FlowRun> claimed =
        backend.runs().claimDue("agent-1", Set.of(), 3, T0, Duration.ofSeconds(5));
    assertThat(ids(claimed)).containsExactly(first.id(), second.id(), done.id());
    backend.runs().transition(claimed.get(2).fence(), RunState.Running, null);
    backend.runs().transition(claimed.get(2).fence(), RunState.Success, null);
    assertThat(backend.runs().expiredLeases("local", T0.plusSeconds(4))).isEmpty();
    assertThat(backend.runs().expiredLeases("local", T0.plusSeconds(6)))
        .extracting(FlowRun::id)
        .containsExactlyInAnyOrder(first.id(), second.id());

    Instant renewing = Instant.now();
    Set<String> renewed =
        backend
            .runs()
            .renewLeases(
                "agent-1",
                List.of(first.id(), second.id(), done.id(), "00000000-0000-0000-0000-000000000000"),
                Duration.ofSeconds(20));
    Set<String> renewedByOther =
        backend.runs().renewLeases("agent-2", List.of(first.id()), Duration.ofMinutes(10));

    assertThat(renewed).containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(renewedByOther).isEmpty();
    assertThat(backend.runs().renewLeases("agent-1", List.of(), Duration.ZERO)).isEmpty();
    // Renewed for 20 s from when the statement ran.
    assertThat(backend.runs().expiredLeases("local", renewing.plusSeconds(19))).isEmpty();
    assertThat(backend.runs().expiredLeases("local", Instant.now().plusSeconds(21))).hasSize(2);
  }

  // --------------------------------------------------------------- infrastructure retries

  @Test
  void aCrashedRunIsScheduledAgainWhileItsInfrastructureRetryBudgetLasts() {
    RegisteredFlow flow = register("etl", RunPolicy.DEFAULT.withInfrastructureRetries(2));
    FlowRun run = schedule(flow, Set.of(), T0);
    FlowRun first = claimOne("agent-1", Set.of());
    backend.runs().transition(first.fence(), RunState.Running, null);

    Optional<InfrastructureRetry> retry =
        backend.runs().rescheduleAfterCrash(first.fence(), "container OOMKilled");

    assertThat(retry).contains(new InfrastructureRetry(1, 2));
    FlowRun again = backend.runs().find(run.id()).orElseThrow();
    assertThat(again.state()).isEqualTo(RunState.Scheduled);
    assertThat(again.agentId()).isNull();
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.scheduledAt()).isEqualTo(T0);
    assertThat(again.endedAt()).isNull();
    assertThat(again.message()).contains("infrastructure retry 1 of 2").contains("OOMKilled");
    assertThat(backend.runs().history(run.id()))
        .extracting(StateChange::state, StateChange::attempt)
        .containsExactly(
            tuple(RunState.Scheduled, 0),
            tuple(RunState.Submitted, 1),
            tuple(RunState.Running, 1),
            tuple(RunState.Crashed, 1),
            tuple(RunState.Scheduled, 1));
    // The crashed attempt's agent is fenced out: nothing it writes lands.
    assertThat(backend.runs().transition(first.fence(), RunState.Cancelled, "late")).isFalse();
    assertThat(backend.runs().appendLogs(first.fence(), List.of(log("late")))).isFalse();
    assertThat(backend.runs().rescheduleAfterCrash(first.fence(), "again")).isEmpty();

    FlowRun second = claimOne("agent-2", Set.of());
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(backend.runs().rescheduleAfterCrash(second.fence(), "node lost"))
        .contains(new InfrastructureRetry(2, 2));
    FlowRun third = claimOne("agent-1", Set.of());
    assertThat(backend.runs().rescheduleAfterCrash(third.fence(), "node lost again")).isEmpty();
    assertThat(backend.runs().find(run.id()).orElseThrow().state()).isEqualTo(RunState.Submitted);
    assertThat(backend.runs().transition(third.fence(), RunState.Crashed, "node lost again"))
        .isTrue();
  }

  @Test
  void withoutABudgetOrOutsideSubmittedAndRunningNothingIsScheduledAgain() {
    RegisteredFlow noBudget = register("etl");
    RegisteredFlow budget = register("report", RunPolicy.DEFAULT.withInfrastructureRetries(3));
    FlowRun plain = runIn(RunState.Running, noBudget, "a");
    FlowRun cancelling = runIn(RunState.Cancelling, budget, "b");
    FlowRun failed = runIn(RunState.Failed, budget, "c");

    for (FlowRun run : List.of(plain, cancelling, failed)) {
      List<StateChange> history = backend.runs().history(run.id());
      assertThat(backend.runs().rescheduleAfterCrash(run.fence(), "crash"))
          .as(run.state() + "")
          .isEmpty();
      assertThat(backend.runs().find(run.id())).contains(run);
      assertThat(backend.runs().history(run.id())).isEqualTo(history);
    }
  }

  // ------------------------------------------------------------------------------- schedules

  @Test
  void eachScheduleFireCreatesExactlyOneRunPerFlowVersion() {
    RegisteredFlow flow = register("etl");
    RegisteredFlow other = register("report");
    Instant fire = T0.plusSeconds(60);

    Optional<FlowRun> created =
        backend.runs().createForScheduleFire(new NewRun(flow.id(), Set.of("gpu"), Map.of(), fire));
    Optional<FlowRun> again =
        backend.runs().createForScheduleFire(new NewRun(flow.id(), Set.of("gpu"), Map.of(), fire));
    Optional<FlowRun> nextFire =
        backend
            .runs()
            .createForScheduleFire(new NewRun(flow.id(), Set.of(), Map.of(), fire.plusSeconds(60)));
    Optional<FlowRun> otherFlow =
        backend.runs().createForScheduleFire(new NewRun(other.id(), Set.of(), Map.of(), fire));
    FlowRun manual = schedule(flow, Set.of(), fire);
    FlowRun manualAgain = schedule(flow, Set.of(), fire);

    assertThat(created).isPresent();
    assertThat(created.get().scheduledAt()).isEqualTo(fire);
    assertThat(created.get().labels()).containsExactly("gpu");
    assertThat(again).isEmpty();
    assertThat(nextFire).isPresent();
    assertThat(otherFlow).isPresent();
    assertThat(backend.runs().list(null, null, 10))
        .extracting(FlowRun::id)
        .containsExactlyInAnyOrder(
            created.get().id(),
            nextFire.get().id(),
            otherFlow.get().id(),
            manual.id(),
            manualAgain.id());
  }

  @Test
  void theNewestVersionOfAFlowCarriesItsScheduleAndAPauseOutlivesReregistration() {
    assertThat(backend.flows().pauseSchedule("etl", true)).isFalse();
    register("etl", RunPolicy.DEFAULT, FlowSchedule.cron("0 0 * * * ?"));
    RegisteredFlow report =
        register("report", RunPolicy.DEFAULT, FlowSchedule.every(Duration.ofMinutes(5)));
    register("plain");
    register("gone", RunPolicy.DEFAULT, FlowSchedule.cron("0 0 * * * ?"));
    RegisteredFlow goneNow = register("gone");

    assertThat(backend.flows().find(report.id()).orElseThrow().schedule())
        .isEqualTo(FlowSchedule.every(Duration.ofMinutes(5)));
    assertThat(goneNow.schedule()).isNull();
    assertThat(backend.flows().pauseSchedule("gone", true)).isFalse();
    assertThat(backend.flows().pauseSchedule("etl", true)).isTrue();
    RegisteredFlow etl2 = register("etl", RunPolicy.DEFAULT, FlowSchedule.cron("0 30 * * * ?"));

    assertThat(backend.flows().scheduled())
        .containsExactly(
            new ScheduledFlow("etl", etl2.id(), 2, FlowSchedule.cron("0 30 * * * ?"), true),
            new ScheduledFlow(
                "report", report.id(), 1, FlowSchedule.every(Duration.ofMinutes(5)), false));
    assertThat(backend.flows().pauseSchedule("etl", false)).isTrue();
    assertThat(backend.flows().scheduled().get(0).paused()).isFalse();
  }

  @Test
  void aFlowVersionKeepsItsRunPolicy() {
    RunPolicy policy = new RunPolicy(2, 5, WhenLimited.cancel);

    RegisteredFlow flow = register("etl", policy);

    assertThat(flow.policy()).isEqualTo(policy);
    assertThat(backend.flows().latest("etl").orElseThrow().policy()).isEqualTo(policy);
    assertThat(register("etl").policy()).isEqualTo(RunPolicy.DEFAULT);
  }

  // ------------------------------------------------------------------------ concurrency limits

  @Test
  void runsOfAFlowAtItsLimitWaitWithoutHoldingBackOtherFlows() {
    RegisteredFlow limited =
        register("limited", RunPolicy.DEFAULT.withConcurrencyLimit(2, WhenLimited.wait));
    RegisteredFlow free = register("free");
    List<FlowRun> limitedRuns = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      limitedRuns.add(schedule(limited, Set.of(), T0.minusSeconds(60 - i)));
    }
    FlowRun freeRun = schedule(free, Set.of(), T0);

    List<FlowRun> first = backend.runs().claimDue("agent-1", Set.of(), 10, T0);
    List<FlowRun> second = backend.runs().claimDue("agent-2", Set.of(), 10, T0);

    assertThat(ids(first))
        .containsExactly(limitedRuns.get(0).id(), limitedRuns.get(1).id(), freeRun.id());
    assertThat(second).isEmpty();
    assertThat(backend.runs().find(limitedRuns.get(2).id()).orElseThrow().state())
        .isEqualTo(RunState.Scheduled);

    backend.runs().transition(first.get(0).fence(), RunState.Running, null);
    backend.runs().transition(first.get(0).fence(), RunState.Success, null);
    assertThat(ids(backend.runs().claimDue("agent-2", Set.of(), 10, T0)))
        .containsExactly(limitedRuns.get(2).id());
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).isEmpty();
  }

  /**
   * A limited flow with room is claimed in due order among a steady stream of unlimited runs: each
   * claim takes the oldest due runs across flows that the limit allows, never the newer unlimited
   * runs before the limited flow's older ones.
   */
  @Test
  void aLimitedFlowWithRoomIsClaimedInDueOrderAmongAStreamOfUnlimitedRuns() {
    RegisteredFlow limited =
        register("limited", RunPolicy.DEFAULT.withConcurrencyLimit(2, WhenLimited.wait));
    RegisteredFlow stream = register("stream");
    List<FlowRun> l = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      l.add(schedule(limited, Set.of(), T0.minusSeconds(60 - 10 * i))); // -60 -50 -40 -30
    }
    FlowRun ua = schedule(stream, Set.of(), T0.minusSeconds(55));
    FlowRun ub = schedule(stream, Set.of(), T0.minusSeconds(45));

    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 2, T0)))
        .containsExactly(l.get(0).id(), ua.id());

    FlowRun uc = schedule(stream, Set.of(), T0.minusSeconds(5));
    FlowRun ud = schedule(stream, Set.of(), T0.minusSeconds(4));
    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 2, T0)))
        .containsExactly(l.get(1).id(), ub.id());

    FlowRun ue = schedule(stream, Set.of(), T0.minusSeconds(3));
    schedule(stream, Set.of(), T0.minusSeconds(2));
    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 2, T0)))
        .as("the limited flow is at its limit: only unlimited runs")
        .containsExactly(uc.id(), ud.id());

    FlowRun first = backend.runs().find(l.get(0).id()).orElseThrow();
    backend.runs().transition(first.fence(), RunState.Running, null);
    backend.runs().transition(first.fence(), RunState.Success, null);
    schedule(stream, Set.of(), T0.minusSeconds(1));
    assertThat(ids(backend.runs().claimDue("agent-2", Set.of(), 2, T0)))
        .containsExactly(l.get(2).id(), ue.id());
    assertThat(backend.runs().find(l.get(3).id()).orElseThrow().state())
        .isEqualTo(RunState.Scheduled);
  }

  @Test
  void aLimitCountsEveryVersionOfTheNameAndTheNewestRegistrationSetsIt() {
    RegisteredFlow v1 =
        register("etl", RunPolicy.DEFAULT.withConcurrencyLimit(1, WhenLimited.wait));
    schedule(v1, Set.of(), T0.minusSeconds(2));
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).hasSize(1);
    RegisteredFlow v2 =
        register("etl", RunPolicy.DEFAULT.withConcurrencyLimit(2, WhenLimited.wait));
    schedule(v2, Set.of(), T0.minusSeconds(1));
    schedule(v2, Set.of(), T0);

    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).hasSize(1);
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).isEmpty();

    register("etl");
    assertThat(backend.runs().claimDue("agent-1", Set.of(), 10, T0)).hasSize(1);
  }

  @Test
  void excessRunsOfAFlowThatSaysCancelAreCancelledNamingTheLimit() {
    RegisteredFlow flow =
        register("etl", RunPolicy.DEFAULT.withConcurrencyLimit(1, WhenLimited.cancel));
    FlowRun first = schedule(flow, Set.of(), T0.minusSeconds(3));
    FlowRun second = schedule(flow, Set.of(), T0.minusSeconds(2));
    FlowRun third = schedule(flow, Set.of(), T0.minusSeconds(1));
    FlowRun later = schedule(flow, Set.of(), T0.plusSeconds(60));

    assertThat(ids(backend.runs().claimDue("agent-1", Set.of(), 10, T0)))
        .containsExactly(first.id());

    for (FlowRun excess : List.of(second, third)) {
      FlowRun cancelled = backend.runs().find(excess.id()).orElseThrow();
      assertThat(cancelled.state()).isEqualTo(RunState.Cancelled);
      assertThat(cancelled.endedAt()).isEqualTo(T0);
      assertThat(cancelled.message()).contains("'etl'").contains("concurrency limit of 1");
      assertThat(backend.runs().history(excess.id()))
          .extracting(StateChange::state)
          .containsExactly(RunState.Scheduled, RunState.Cancelled);
    }
    assertThat(backend.runs().find(later.id()).orElseThrow().state()).isEqualTo(RunState.Scheduled);
  }

  /** Agents claiming one limited flow at the same time never exceed its limit together. */
  @Test
  void concurrentAgentsNeverExceedAConcurrencyLimit() throws Exception {
    RegisteredFlow flow =
        register("etl", RunPolicy.DEFAULT.withConcurrencyLimit(3, WhenLimited.wait));
    for (int i = 0; i < 40; i++) {
      schedule(flow, Set.of(), T0.minusMillis(i));
    }
    List<Backend> ownBackends = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      CyclicBarrier start = new CyclicBarrier(4);
      List<Future<List<FlowRun>>> claims = new ArrayList<>();
      for (int a = 0; a < 4; a++) {
        Backend own = openBackend();
        ownBackends.add(own);
        String agentId = "agent-" + a;
        claims.add(
            threads.submit(
                () -> {
                  start.await();
                  return own.runs().claimDue(agentId, Set.of(), 5, T0);
                }));
      }
      int claimed = 0;
      for (Future<List<FlowRun>> claim : claims) {
        claimed += claim.get(60, TimeUnit.SECONDS).size();
      }
      assertThat(claimed).isEqualTo(3);
    } finally {
      threads.shutdownNow();
      ownBackends.forEach(Backend::close);
    }
    assertThat(backend.runs().list("etl", Set.of(RunState.Submitted), 100)).hasSize(3);
  }

  @Test
  void runsOfAnAgentAreItsCurrentAttemptsInTheGivenStates() {
    RegisteredFlow flow = register("etl");
    FlowRun submitted = runIn(RunState.Submitted, flow, "mine");
    FlowRun running = runIn(RunState.Running, flow, "mine");
    runIn(RunState.Success, flow, "mine");
    runIn(RunState.Running, flow, "theirs");
    FlowRun movedAway = schedule(flow, Set.of("moved"), T0);
    FlowRun myAttempt = claimOne("mine", Set.of("moved"));
    backend.runs().transition(myAttempt.fence(), RunState.Scheduled, "retry");
    claimOne("theirs", Set.of("moved"));

    assertThat(backend.runs().runsOfAgent("mine", Set.of(RunState.Submitted, RunState.Running)))
        .extracting(FlowRun::id)
        .containsExactlyInAnyOrder(submitted.id(), running.id())
        .doesNotContain(movedAway.id());
    assertThat(backend.runs().runsOfAgent("mine", List.of(RunState.Running)))
        .extracting(FlowRun::id)
        .containsExactly(running.id());
    assertThat(backend.runs().runsOfAgent("mine", List.of())).isEmpty();
    assertThat(backend.runs().runsOfAgent("nobody", EnumSet.allOf(RunState.class))).isEmpty();
  }

  // ---------------------------------------------------------------------------------- lookup

  @Test
  void aRunIsFoundByItsIdOrAUniquePrefixOfAtLeastFourCharacters() {
    RegisteredFlow flow = register("etl");
    FlowRun run = schedule(flow, Set.of(), T0);
    String id = run.id();

    assertThat(backend.runs().findByIdOrPrefix(id)).contains(run);
    assertThat(backend.runs().findByIdOrPrefix(id.substring(0, 8))).contains(run);
    assertThat(backend.runs().findByIdOrPrefix(id.substring(0, 4))).contains(run);
    assertThat(backend.runs().findByIdOrPrefix(id.substring(0, 8).toUpperCase())).contains(run);
    assertThat(backend.runs().findByIdOrPrefix(id.substring(0, 3))).isEmpty();
    assertThat(backend.runs().findByIdOrPrefix("%")).isEmpty();
    assertThat(backend.runs().findByIdOrPrefix("____")).isEmpty();
    assertThat(backend.runs().findByIdOrPrefix("zzzzzzzz")).isEmpty();
  }

  @Test
  void aPrefixSharedByTwoRunsFindsNone() {
    RegisteredFlow flow = register("etl");
    Map<String, FlowRun> byPrefix = new HashMap<>();
    String shared = null;
    // Random ids share a 4-character prefix after about 320 runs (the birthday bound of 16^4).
    while (shared == null) {
      FlowRun run = schedule(flow, Set.of(), T0);
      String prefix = run.id().substring(0, 4);
      if (byPrefix.putIfAbsent(prefix, run) != null) {
        shared = prefix;
      }
    }

    assertThat(backend.runs().findByIdOrPrefix(shared)).isEmpty();
    FlowRun first = byPrefix.get(shared);
    assertThat(backend.runs().findByIdOrPrefix(first.id())).contains(first);
  }

  // ---------------------------------------------------------------------------- reachability

  @Test
  void reopeningTheDatabaseKeepsItsData() {
    RegisteredFlow flow = register("etl");
    FlowRun run = schedule(flow, Set.of("gpu"), T0);
    backend.close();

    backend = openBackend();

    assertThat(backend.flows().latest("etl")).contains(flow);
    assertThat(backend.runs().find(run.id())).contains(run);
  }

  @Test
  void aBackendIsReachableWhileOpenAndNotAfterClose() {
    Backend other = openBackend();
    assertThat(other.isReachable()).isTrue();
    other.close();
    assertThat(other.isReachable()).isFalse();
    assertThat(backend.isReachable()).isTrue();
  }

  // ---------------------------------------------------------------------------- exactly once

  /**
   * Four agents, each with a backend (and pool) of its own as separate processes would have, claim
   * concurrently until nothing is left. Labels split the runs so pairs of agents compete for each
   * group and one group only one agent may take.
   */
  @Test
  void concurrentAgentsClaimEveryRunExactlyOnce() throws Exception {
    Map<String, Set<String>> agents = new HashMap<>();
    agents.put("plain-1", Set.of());
    agents.put("plain-2", Set.of());
    agents.put("gpu-eu", Set.of("gpu", "eu"));
    agents.put("gpu-eu-fast", Set.of("gpu", "eu", "fast"));
    List<Set<String>> runLabels =
        List.of(Set.of(), Set.of(), Set.of("gpu"), Set.of("gpu", "eu"), Set.of("fast"));
    int runCount = 1200;
    RegisteredFlow flow = register("etl");
    Map<String, Set<String>> labelsByRun = new HashMap<>();
    for (int i = 0; i < runCount; i++) {
      Set<String> labels = runLabels.get(i % runLabels.size());
      labelsByRun.put(schedule(flow, labels, T0.minusMillis(i)).id(), labels);
    }

    Map<String, List<FlowRun>> claimsByAgent = new ConcurrentHashMap<>();
    List<Backend> ownBackends = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(agents.size());
    long started;
    long elapsedMillis;
    try {
      CyclicBarrier start = new CyclicBarrier(agents.size() + 1);
      List<Future<?>> futures = new ArrayList<>();
      for (Map.Entry<String, Set<String>> agent : agents.entrySet()) {
        Backend own = openBackend();
        ownBackends.add(own);
        Callable<Void> claimUntilNoneLeft =
            () -> {
              List<FlowRun> claims = new ArrayList<>();
              claimsByAgent.put(agent.getKey(), claims);
              start.await();
              List<FlowRun> batch;
              do {
                batch = own.runs().claimDue(agent.getKey(), agent.getValue(), 7, T0);
                claims.addAll(batch);
              } while (!batch.isEmpty());
              return null;
            };
        futures.add(threads.submit(claimUntilNoneLeft));
      }
      start.await(30, TimeUnit.SECONDS);
      started = System.nanoTime();
      for (Future<?> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
      elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    } finally {
      threads.shutdownNow();
      ownBackends.forEach(Backend::close);
    }
    System.out.printf(
        "%s: 4 agents claimed %d runs in %d ms%n",
        getClass().getSimpleName(), runCount, elapsedMillis);

    Map<String, Long> claimsPerRun =
        claimsByAgent.values().stream()
            .flatMap(List::stream)
            .collect(Collectors.groupingBy(FlowRun::id, Collectors.counting()));
    assertThat(claimsPerRun.keySet()).isEqualTo(labelsByRun.keySet());
    assertThat(claimsPerRun.values()).containsOnly(1L);
    Map<String, String> claimant = new HashMap<>();
    claimsByAgent.forEach(
        (agentId, claims) -> {
          assertThat(claims).as(agentId).isNotEmpty();
          for (FlowRun run : claims) {
            assertThat(LabelRule.agentTakes(agents.get(agentId), labelsByRun.get(run.id())))
                .as("%s took %s labelled %s", agentId, run.id(), run.labels())
                .isTrue();
            claimant.put(run.id(), agentId);
          }
        });
    assertThat(backend.runs().list(null, Set.of(RunState.Scheduled), 10)).isEmpty();
    List<FlowRun> stored = backend.runs().list(null, null, runCount + 1);
    assertThat(stored).hasSize(runCount);
    for (FlowRun run : stored) {
      assertThat(run.state()).as(run.id()).isEqualTo(RunState.Submitted);
      assertThat(run.attempt()).as(run.id()).isEqualTo(1);
      assertThat(run.agentId()).as(run.id()).isEqualTo(claimant.get(run.id()));
    }
  }

  // --------------------------------------------------------------------------------- helpers

  protected RegisteredFlow register(String name) {
    return register(name, RunPolicy.DEFAULT, null);
  }

  protected RegisteredFlow register(String name, RunPolicy policy) {
    return register(name, policy, null);
  }

  protected RegisteredFlow register(String name, RunPolicy policy, FlowSchedule schedule) {
    return backend
        .flows()
        .register(
            new NewFlowVersion(
                name,
                BundleFormat.serialized,
                "file:///var/lib/gantry/bundles/" + name + ".zip",
                "ab".repeat(32),
                null,
                null,
                List.of(),
                Set.of(),
                List.of(),
                policy,
                schedule));
  }

  protected FlowRun schedule(RegisteredFlow flow, Set<String> labels, Instant scheduledAt) {
    return backend.runs().create(new NewRun(flow.id(), labels, Map.of(), scheduledAt));
  }

  /** Claims the one run due for an agent with these labels. */
  protected FlowRun claimOne(String agentId, Set<String> labels) {
    List<FlowRun> claimed = backend.runs().claimDue(agentId, labels, 1, T0);
    assertThat(claimed).as("a run due for %s", labels).hasSize(1);
    return claimed.get(0);
  }

  /**
   * A run in {@code state}: labelled with {@code agent} alone and claimed by the agent of that
   * name, so tests can drive several runs side by side.
   */
  protected FlowRun runIn(RunState state, RegisteredFlow flow, String agent) {
    FlowRun run = schedule(flow, Set.of(agent), T0);
    FlowRun claimed = claimOne(agent, Set.of(agent));
    RunFence fence = claimed.fence();
    boolean reached =
        switch (state) {
          case Submitted -> true;
          case Scheduled -> backend.runs().transition(fence, RunState.Scheduled, "retry");
          case Running -> backend.runs().transition(fence, RunState.Running, null);
          case Cancelling ->
              backend.runs().requestCancel(run.id(), "stop").equals(Optional.of(state));
          case Success, Failed, Crashed, Cancelled ->
              backend.runs().transition(fence, RunState.Running, null)
                  && backend.runs().transition(fence, state, null);
        };
    assertThat(reached).as("run reached %s", state).isTrue();
    return backend.runs().find(run.id()).orElseThrow();
  }

  protected static AgentInfo agent(String id, String kind, Set<String> labels, Instant startedAt) {
    return new AgentInfo(
        id, id + "@host-1", kind, "host-1", labels, 4, 0, startedAt, startedAt, null);
  }

  private void record(
      RunFence fence, String task, TaskState state, int attempt, Instant at, String message) {
    assertThat(
            backend
                .runs()
                .recordTaskState(fence, new TaskStateUpdate(task, state, attempt, at, message)))
        .isTrue();
  }

  private static TaskStateUpdate taskUpdate(String task, TaskState state) {
    return new TaskStateUpdate(task, state, 1, T0, null);
  }

  private static LogRecord log(String message) {
    return new LogRecord(0, null, T0, "INFO", "stdout", null, message);
  }

  private static List<String> ids(List<FlowRun> runs) {
    return runs.stream().map(FlowRun::id).toList();
  }

  private static List<Set<String>> subsetsOf(List<String> labels) {
    List<Set<String>> subsets = new ArrayList<>();
    for (int mask = 0; mask < 1 << labels.size(); mask++) {
      Set<String> subset = new HashSet<>();
      for (int bit = 0; bit < labels.size(); bit++) {
        if ((mask & 1 << bit) != 0) {
          subset.add(labels.get(bit));
        }
      }
      subsets.add(subset);
    }
    return subsets;
  }
}
