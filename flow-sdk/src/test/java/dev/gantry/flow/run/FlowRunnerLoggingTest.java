package dev.gantry.flow.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.gantry.flow.Flow;
import dev.gantry.flow.Task;
import dev.gantry.flow.TaskContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class FlowRunnerLoggingTest {
  private static final org.slf4j.Logger taskCodeLog = LoggerFactory.getLogger("com.acme.Etl");

  private final CapturedLines lines = new CapturedLines();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void captureLogs() {
    lines.start();
    root.addAppender(lines);
  }

  @AfterEach
  void stopCapturing() {
    root.detachAppender(lines);
  }

  @Test
  void logsEachTaskStartAndEndWithTheTaskNameInTheMdc() throws Exception {
    Flow flow = new Flow("logged");
    Task<String> extract =
        flow.task(
            "extract",
            () -> {
              taskCodeLog.info("extracting");
              return "rows";
            });
    flow.task(
        "load",
        extract,
        rows -> {
          taskCodeLog.info("loading {}", rows);
          return "loaded";
        });

    new FlowRunner(1, TaskStateListener.NONE).run(flow, Map.of());

    assertThat(lines.events)
        .filteredOn(line -> line.task() != null)
        .extracting(Line::logger, Line::task, Line::messageWithoutTimes)
        .containsExactly(
            tuple(FlowRunner.class.getName(), "extract", "task 'extract' started (attempt 1 of 1)"),
            tuple("com.acme.Etl", "extract", "extracting"),
            tuple(FlowRunner.class.getName(), "extract", "task 'extract' succeeded in N ms"),
            tuple(FlowRunner.class.getName(), "load", "task 'load' started (attempt 1 of 1)"),
            tuple("com.acme.Etl", "load", "loading rows"),
            tuple(FlowRunner.class.getName(), "load", "task 'load' succeeded in N ms"));
  }

  @Test
  void logsAFailedAttemptWithItsStackTrace() throws Exception {
    Flow flow = new Flow("logged");
    flow.task(
        "explode",
        () -> {
          throw new IllegalStateException("the warehouse is on fire");
        });

    new FlowRunner(1, TaskStateListener.NONE).run(flow, Map.of());

    assertThat(lines.events)
        .anySatisfy(
            line -> {
              assertThat(line.task()).isEqualTo("explode");
              assertThat(line.message())
                  .startsWith("task 'explode' attempt 1 failed after ")
                  .endsWith("IllegalStateException: the warehouse is on fire");
              assertThat(line.hasStackTrace()).isTrue();
            });
  }

  @Test
  void tellsTaskCodeItsTaskAndAttemptOnlyWhileItsBodyRuns() throws Exception {
    Flow flow = new Flow("context");
    flow.task(
        "whoami",
        () ->
            TaskContext.currentTask()
                + "#"
                + TaskContext.currentAttempt()
                + " mdc="
                + MDC.get("task"));
    flow.task("after", () -> "mdc=" + MDC.get("task") + " task=" + TaskContext.currentTask());

    FlowRunResult result = new FlowRunner(1, TaskStateListener.NONE).run(flow, Map.of());

    assertThat(result.results())
        .containsEntry("whoami", "whoami#1 mdc=whoami")
        .containsEntry("after", "mdc=after task=after");
    assertThat(TaskContext.currentTask()).isNull();
    assertThat(TaskContext.currentAttempt()).isZero();
    assertThat(MDC.get("task")).isNull();
  }

  record Line(String logger, String task, String message, boolean hasStackTrace) {
    /** The message with durations blanked out, as they vary from run to run. */
    String messageWithoutTimes() {
      return message.replaceAll("\\d+ ms", "N ms");
    }
  }

  /** Keeps each event's MDC as it was on the logging thread, when the line was logged. */
  private static final class CapturedLines extends AppenderBase<ILoggingEvent> {
    final List<Line> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(
          new Line(
              event.getLoggerName(),
              event.getMDCPropertyMap().get("task"),
              event.getFormattedMessage(),
              event.getThrowableProxy() != null));
    }
  }
}
