package dev.gantry.flow.run;

import static dev.gantry.flow.TaskState.PENDING;
import static dev.gantry.flow.TaskState.RUNNING;
import static dev.gantry.flow.TaskState.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlowRunnerSchedulingTest {
  private final RecordingListener listener = new RecordingListener();

  @Test
  void runsEachTaskAfterItsInputsSucceededAndPassesTheirTypedResults() throws Exception {
    Flow flow = new Flow("diamond");
    Parameter<Integer> rows = flow.parameter("rows", Integer.class, 4);
    Task<List<Integer>> extract =
        flow.task("extract", rows, n -> IntStream.range(0, n).boxed().toList());
    Task<List<Integer>> squares =
        flow.task("squares", extract, xs -> xs.stream().map(x -> x * x).toList());
    Task<Integer> count = flow.task("count", extract, List::size);
    flow.task(
        "load",
        squares,
        count,
        (xs, n) -> n + " rows, sum " + xs.stream().mapToInt(Integer::intValue).sum());

    FlowRunResult result = new FlowRunner(4, listener).run(flow, Map.of("rows", "5"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isNull();
    assertThat(result.taskStates())
        .containsExactly(
            Map.entry("extract", SUCCESS),
            Map.entry("squares", SUCCESS),
            Map.entry("count", SUCCESS),
            Map.entry("load", SUCCESS));
    assertThat(result.results())
        .containsEntry("extract", List.of(0, 1, 2, 3, 4))
        .containsEntry("squares", List.of(0, 1, 4, 9, 16))
        .containsEntry("count", 5)
        .containsEntry("load", "5 rows, sum 30");
    assertThat(listener.indexOf("squares", RUNNING))
        .isGreaterThan(listener.indexOf("extract", SUCCESS));
    assertThat(listener.indexOf("count", RUNNING))
        .isGreaterThan(listener.indexOf("extract", SUCCESS));
    assertThat(listener.indexOf("load", RUNNING))
        .isGreaterThan(listener.indexOf("squares", SUCCESS))
        .isGreaterThan(listener.indexOf("count", SUCCESS));
  }

  @Test
  void passesInputsInTheOrderTheTaskDeclaredThemIncludingNullResults() throws Exception {
    Flow flow = new Flow("ordered");
    Parameter<String> first = flow.parameter("first", String.class, "a");
    Task<String> nothing = flow.task("nothing", () -> null);
    Task<String> second = flow.task("second", () -> "b");
    flow.task("join", second, nothing, first, (b, none, a) -> b + "|" + none + "|" + a);

    FlowRunResult result = new FlowRunner(2, listener).run(flow, Map.of());

    assertThat(result.results()).containsEntry("nothing", null).containsEntry("join", "b|null|a");
  }

  @Test
  void neverRunsMoreTasksAtOnceThanItsParallelism() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Flow flow = new Flow("wide");
    for (int i = 1; i <= 4; i++) {
      flow.task(
          "blocking-" + i,
          () -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              return release.await(30, TimeUnit.SECONDS);
            } finally {
              running.decrementAndGet();
            }
          });
    }

    BackgroundRun run = BackgroundRun.start(new FlowRunner(2, listener), flow);
    await().until(() -> running.get() == 2);
    // Two tasks wait for threads, and keep waiting while the first two block.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> running.get() == 2);
    assertThat(List.of("blocking-1", "blocking-2", "blocking-3", "blocking-4"))
        .filteredOn(task -> listener.currentStateOf(task) == PENDING)
        .hasSize(2);
    release.countDown();
    FlowRunResult result = run.awaitResult();

    assertThat(result.success()).isTrue();
    assertThat(mostAtOnce).hasValue(2);
  }

  @Test
  void runsIndependentTasksAtTheSameTime() throws Exception {
    // Each task waits at the barrier until all three are there: run one after another, they fail.
    CyclicBarrier allThere = new CyclicBarrier(3);
    Flow flow = new Flow("parallel");
    for (int i = 1; i <= 3; i++) {
      flow.task("meet-" + i, () -> allThere.await(30, TimeUnit.SECONDS));
    }

    FlowRunResult result = new FlowRunner(3, listener).run(flow, Map.of());

    assertThat(result.success()).as(result.message()).isTrue();
  }

  @Test
  void runsTasksOnDaemonThreadsNamedGantryTaskAndStopsThemAfterTheRun() throws Exception {
    ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
    Flow flow = new Flow("threads");
    for (int i = 1; i <= 3; i++) {
      flow.task("where-" + i, () -> threads.add(Thread.currentThread()));
    }

    new FlowRunner(2, listener).run(flow, Map.of());

    assertThat(threads)
        .hasSize(3)
        .allSatisfy(
            thread -> {
              assertThat(thread.getName()).matches("gantry-task-[12]");
              assertThat(thread.isDaemon()).isTrue();
            });
    await().until(() -> threads.stream().noneMatch(Thread::isAlive));
  }

  @Test
  void runsAFlowWithoutTasksToSuccess() throws Exception {
    FlowRunResult result = new FlowRunner(1, listener).run(new Flow("empty"), Map.of());

    assertThat(result.success()).isTrue();
    assertThat(result.taskStates()).isEmpty();
    assertThat(listener.changes()).isEmpty();
  }

  @Test
  void endsTheRunAndStopsItsTasksWhenTheListenerThrows() {
    AtomicInteger interrupted = new AtomicInteger();
    Flow flow = new Flow("listened");
    flow.task(
        "blocker",
        () -> {
          try {
            return new CountDownLatch(1).await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
        });
    flow.task("second", () -> "never reported");
    TaskStateListener failsOnSecondStart =
        change -> {
          if (change.task().equals("second") && change.state() == RUNNING) {
            throw new IllegalStateException("listener broke");
          }
        };

    assertThatThrownBy(() -> new FlowRunner(2, failsOnSecondStart).run(flow, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("listener broke");
    await().untilAsserted(() -> assertThat(interrupted).hasValue(1));
    await().until(() -> TaskThreads.alive().isEmpty());
  }
}
