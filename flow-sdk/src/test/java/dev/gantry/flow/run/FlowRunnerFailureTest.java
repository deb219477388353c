package dev.gantry.flow.run;

import static dev.gantry.flow.TaskState.FAILED;
import static dev.gantry.flow.TaskState.PENDING;
import static dev.gantry.flow.TaskState.RETRYING;
import static dev.gantry.flow.TaskState.RUNNING;
import static dev.gantry.flow.TaskState.SUCCESS;
import static dev.gantry.flow.TaskState.TIMED_OUT;
import static dev.gantry.flow.TaskState.UPSTREAM_FAILED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Task;
import dev.gantry.flow.TaskContext;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FlowRunnerFailureTest {
  private final RecordingListener listener = new RecordingListener();

  @Test
  void retriesAFailedAttemptAfterTheRetryDelayUntilItSucceeds() throws Exception {
    Map<Integer, Long> attemptStarted = new ConcurrentHashMap<>();
    Map<Integer, Long> attemptFailed = new ConcurrentHashMap<>();
    Flow flow = new Flow("retrying");
    flow.task(
            "flaky",
            () -> {
              int attempt = TaskContext.currentAttempt();
              attemptStarted.put(attempt, System.nanoTime());
              if (attempt < 3) {
                attemptFailed.put(attempt, System.nanoTime());
                throw new IllegalStateException("attempt " + attempt + " failed");
              }
              return "done on attempt " + attempt;
            })
        .retries(2, Duration.ofMillis(200));

    FlowRunResult result = new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(result.success()).isTrue();
    assertThat(result.results()).containsEntry("flaky", "done on attempt 3");
    assertThat(listener.changesOf("flaky"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null),
            tuple(RUNNING, 1, null),
            tuple(RETRYING, 1, "IllegalStateException: attempt 1 failed"),
            tuple(RUNNING, 2, null),
            tuple(RETRYING, 2, "IllegalStateException: attempt 2 failed"),
            tuple(RUNNING, 3, null),
            tuple(SUCCESS, 3, null));
    for (int retry = 2; retry <= 3; retry++) {
      long waitedNanos = attemptStarted.get(retry) - attemptFailed.get(retry - 1);
      assertThat(Duration.ofNanos(waitedNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void failsATaskWhoseLastAttemptThrowsWithAOneLineMessage() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Flow flow = new Flow("doomed");
    flow.task(
            "load",
            () -> {
              attempts.incrementAndGet();
              throw new IllegalStateException("boom\n  at the second line");
            })
        .retries(2, Duration.ZERO);

    FlowRunResult result = new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(attempts).hasValue(3);
    assertThat(result.success()).isFalse();
    assertThat(result.taskStates()).containsEntry("load", FAILED);
    assertThat(result.results()).doesNotContainKey("load");
    assertThat(result.message())
        .isEqualTo("task 'load' failed: IllegalStateException: boom at the second line");
    assertThat(listener.changesOf("load"))
        .last()
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(FAILED, 3, "IllegalStateException: boom at the second line");
  }

  @Test
  void timesOutAnAttemptThatRunsTooLongAndInterruptsIt() throws Exception {
    AtomicBoolean interrupted = new AtomicBoolean();
    Flow flow = new Flow("slow");
    flow.task(
            "stuck",
            () -> {
              try {
                TimeUnit.SECONDS.sleep(60);
                return "woke up";
              } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
              }
            })
        .timeout(Duration.ofMillis(200));

    FlowRunResult result = new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(result.success()).isFalse();
    assertThat(result.taskStates()).containsEntry("stuck", TIMED_OUT);
    assertThat(result.message()).isEqualTo("task 'stuck' timed out after 200 ms");
    assertThat(listener.changesOf("stuck"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null),
            tuple(RUNNING, 1, null),
            tuple(TIMED_OUT, 1, "timed out after 200 ms"));
    await().untilTrue(interrupted);
  }

  @Test
  void retriesAnAttemptThatTimedOut() throws Exception {
    Flow flow = new Flow("slow-then-fast");
    flow.task(
            "sometimes-stuck",
            () -> {
              if (TaskContext.currentAttempt() == 1) {
                TimeUnit.SECONDS.sleep(60);
              }
              return "fast on attempt " + TaskContext.currentAttempt();
            })
        .timeout(Duration.ofMillis(200))
        .retries(1, Duration.ZERO);

    FlowRunResult result = new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(result.success()).isTrue();
    assertThat(result.results()).containsEntry("sometimes-stuck", "fast on attempt 2");
    assertThat(listener.changesOf("sometimes-stuck"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null),
            tuple(RUNNING, 1, null),
            tuple(RETRYING, 1, "timed out after 200 ms"),
            tuple(RUNNING, 2, null),
            tuple(SUCCESS, 2, null));
  }

  @Test
  void endsATaskTimedOutWhenItsLastAttemptTimesOut() throws Exception {
    Flow flow = new Flow("always-slow");
    flow.task(
            "stuck",
            () -> {
              TimeUnit.SECONDS.sleep(60);
              return "woke up";
            })
        .timeout(Duration.ofMillis(100))
        .retries(1, Duration.ZERO);

    FlowRunResult result = new FlowRunner(2, listener).run(flow, Map.of());

    assertThat(result.taskStates()).containsEntry("stuck", TIMED_OUT);
    assertThat(listener.statesOf("stuck"))
        .containsExactly(PENDING, RUNNING, RETRYING, RUNNING, TIMED_OUT);
  }

  @Test
  void skipsTasksDownstreamOfAFailureAndStillRunsIndependentBranches() throws Exception {
    Flow flow = new Flow("branches");
    Task<String> extract = flow.task("extract", () -> "rows");
    Task<String> transform =
        flow.task(
            "transform",
            extract,
            rows -> {
              throw new IllegalArgumentException("bad row");
            });
    Task<String> load = flow.task("load", transform, rows -> "loaded");
    flow.task("report", load, loaded -> "reported");
    Task<String> audit = flow.task("audit", extract, rows -> "audited");
    flow.task("archive", audit, audited -> "archived");

    FlowRunResult result = new FlowRunner(2, listener).run(flow, Map.of());

    assertThat(result.success()).isFalse();
    assertThat(result.message())
        .isEqualTo("task 'transform' failed: IllegalArgumentException: bad row");
    assertThat(result.taskStates())
        .containsExactly(
            Map.entry("extract", SUCCESS),
            Map.entry("transform", FAILED),
            Map.entry("load", UPSTREAM_FAILED),
            Map.entry("report", UPSTREAM_FAILED),
            Map.entry("audit", SUCCESS),
            Map.entry("archive", SUCCESS));
    assertThat(result.results()).containsOnlyKeys("extract", "audit", "archive");
    for (String skipped : List.of("load", "report")) {
      assertThat(listener.changesOf(skipped))
          .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
          .containsExactly(
              tuple(PENDING, 0, null),
              tuple(UPSTREAM_FAILED, 0, "upstream task 'transform' failed"));
    }
  }

  @Test
  void namesATimedOutTaskAsTheCauseOfTasksSkippedDownstream() throws Exception {
    Flow flow = new Flow("late");
    Task<String> stuck =
        flow.task(
                "stuck",
                () -> {
                  TimeUnit.SECONDS.sleep(60);
                  return "woke up";
                })
            .timeout(Duration.ofMillis(100));
    flow.task("after", stuck, woke -> "after");

    FlowRunResult result = new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(result.taskStates()).containsEntry("after", UPSTREAM_FAILED);
    assertThat(listener.changesOf("after"))
        .last()
        .extracting(TaskStateChange::message)
        .isEqualTo("upstream task 'stuck' timed out");
  }

  @Test
  void reportsEveryStateChangeOfEveryTask() throws Exception {
    Flow flow = new Flow("everything");
    flow.task("fine", () -> "fine");
    flow.task(
            "shaky",
            () -> {
              if (TaskContext.currentAttempt() == 1) {
                throw new IllegalStateException("first attempt");
              }
              return "steady";
            })
        .retries(1, Duration.ofMillis(10));
    Task<String> broken =
        flow.task(
            "broken",
            () -> {
              throw new UnsupportedOperationException();
            });
    flow.task("behind", broken, b -> "never");

    new FlowRunner(1, listener).run(flow, Map.of());

    assertThat(listener.changes().subList(0, 4))
        .extracting(TaskStateChange::task, TaskStateChange::state)
        .containsExactly(
            tuple("fine", PENDING),
            tuple("shaky", PENDING),
            tuple("broken", PENDING),
            tuple("behind", PENDING));
    assertThat(listener.changesOf("fine"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(tuple(PENDING, 0, null), tuple(RUNNING, 1, null), tuple(SUCCESS, 1, null));
    assertThat(listener.changesOf("shaky"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null),
            tuple(RUNNING, 1, null),
            tuple(RETRYING, 1, "IllegalStateException: first attempt"),
            tuple(RUNNING, 2, null),
            tuple(SUCCESS, 2, null));
    assertThat(listener.changesOf("broken"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null),
            tuple(RUNNING, 1, null),
            tuple(FAILED, 1, "UnsupportedOperationException"));
    assertThat(listener.changesOf("behind"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt, TaskStateChange::message)
        .containsExactly(
            tuple(PENDING, 0, null), tuple(UPSTREAM_FAILED, 0, "upstream task 'broken' failed"));
    assertThat(listener.changes())
        .extracting(TaskStateChange::at)
        .isSortedAccordingTo(Comparator.naturalOrder());
  }
}
