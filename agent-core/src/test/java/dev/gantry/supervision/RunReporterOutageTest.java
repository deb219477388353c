package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.RunStore;
import dev.gantry.bootstrap.ProtocolOutput;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.protocol.FlatJson;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run reports while the database does not take it (H2 behind a store that fails on command):
 * kept in order and written once when it answers again, within the buffer's limit.
 */
class RunReporterOutageTest {
  @TempDir Path home;
  private TaskFixture fx;

  /** appendLogs calls that commit and then fail, as when the answer to the commit is lost. */
  private final AtomicInteger unanswered = new AtomicInteger();

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void linesAndTaskStatesTheDatabaseDidNotTakeAreWrittenInOrderWhenItIsBack() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("outage", 0)));
    RunReporter reporter = new RunReporter(fx.runs, run.run().fence(), Redactor.NONE);
    reporter.line(event("run", Map.of("state", "Running")));
    fx.failNext(1_000);
    reporter.line("line 1");
    reporter.line(event("task", Map.of("task", "t", "state", "RUNNING", "attempt", "1")));
    reporter.line("line 2");
    reporter.line(event("task", Map.of("task", "t", "state", "SUCCESS", "attempt", "1")));
    reporter.line("line 3");
    assertThat(reporter.flush()).isFalse();
    assertThatThrownBy(reporter::drain)
        .hasMessageContaining("run " + run.id())
        .hasMessageContaining("5 reports")
        .hasMessageContaining("not stored yet");

    fx.failures.set(0);
    assertThat(reporter.flush()).isTrue();

    assertThat(messages(run)).containsExactly("line 1", "line 2", "line 3");
    List<TaskRun> tasks = fx.backend.runs().taskRuns(run.id());
    assertThat(tasks).extracting(TaskRun::state).containsExactly(TaskState.SUCCESS);
    assertThat(tasks.get(0).startedAt()).isNotNull();
    assertThat(reporter.pendingReports()).isZero();
  }

  @Test
  void aBatchStoredByAWriteThatGotNoAnswerIsNotStoredAgain() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("unanswered", 0)));
    RunReporter reporter =
        new RunReporter(losingAnswers(fx.backend.runs()), run.run().fence(), Redactor.NONE);
    reporter.line("before");
    assertThat(reporter.flush()).isTrue();
    reporter.line("line 1");
    reporter.line("line 2");
    unanswered.set(1);

    assertThat(reporter.flush()).isFalse(); // stored, but the agent does not know
    reporter.line("line 3");
    assertThat(reporter.flush()).isTrue();

    assertThat(messages(run)).containsExactly("before", "line 1", "line 2", "line 3");
  }

  @Test
  void pastTheLimitTheOldestLinesAreDroppedStatesKeptAndOneWarningCountsThem() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("limited", 0)));
    RunReporter reporter = new RunReporter(fx.runs, run.run().fence(), Redactor.NONE, null, 5);
    fx.failNext(1_000);
    for (int i = 1; i <= 4; i++) {
      reporter.line("line " + i);
    }
    reporter.line(event("task", Map.of("task", "t", "state", "RUNNING", "attempt", "1")));
    for (int i = 5; i <= 8; i++) {
      reporter.line("line " + i);
    }
    assertThat(reporter.flush()).isFalse();

    fx.failures.set(0);
    assertThat(reporter.flush()).isTrue();

    List<String> messages = messages(run);
    assertThat(messages).hasSize(6);
    assertThat(messages.get(0))
        .contains("3 log lines of run " + run.id() + " were dropped")
        .contains("at most 5");
    assertThat(messages.subList(1, 6))
        .containsExactly("line 4", "line 5", "line 6", "line 7", "line 8");
    assertThat(fx.backend.runs().taskRuns(run.id()))
        .extracting(TaskRun::state)
        .containsExactly(TaskState.RUNNING);
    assertThat(fx.backend.runs().find(run.id()).orElseThrow().state())
        .isEqualTo(RunState.Submitted);
  }

  private List<String> messages(SupervisedRun run) {
    return fx.backend.runs().logs(run.id(), 0, 100).stream().map(LogRecord::message).toList();
  }

  /** The real store, except that appendLogs commits and then fails while {@link #unanswered}. */
  private RunStore losingAnswers(RunStore real) {
    return (RunStore)
        Proxy.newProxyInstance(
            RunStore.class.getClassLoader(),
            new Class<?>[] {RunStore.class},
            (proxy, method, args) -> {
              Object result;
              try {
                result = method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (method.getName().equals("appendLogs")
                  && unanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("I/O error: the connection broke after the commit");
              }
              return result;
            });
  }

  private static String event(String name, Map<String, String> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", name);
    all.put("at", Instant.now().toString());
    all.putAll(fields);
    return ProtocolOutput.MARKER + FlatJson.encode(all);
  }
}
