package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line of a followed run, and how a terminal's status line redraws it. */
class TaskProgressTest {

  private static TaskRun task(String name, TaskState state) {
    return new TaskRun("run-1", name, state, 1, null, null, null);
  }

  @Test
  void countsFinishedTasksOfAllAndNamesTheRunningOnesWithTheElapsedTime() {
    List<TaskRun> tasks =
        List.of(
            task("rows", TaskState.SUCCESS),
            task("extract", TaskState.RUNNING),
            task("clean", TaskState.SUCCESS),
            task("load", TaskState.RUNNING),
            task("report", TaskState.PENDING),
            task("check", TaskState.SUCCESS),
            task("archive", TaskState.PENDING));

    assertThat(TaskProgress.line(tasks, RunState.Running, Duration.ofSeconds(12)))
        .isEqualTo("3/7 tasks done · running: extract, load · 00:12");
  }

  @Test
  void saysWhichFailedWhichRetryAndHowManyMoreRunThanItNames() {
    List<TaskRun> tasks =
        List.of(
            task("a", TaskState.FAILED),
            task("b", TaskState.UPSTREAM_FAILED),
            task("c", TaskState.RETRYING),
            task("d", TaskState.RUNNING),
            task("e", TaskState.RUNNING),
            task("f", TaskState.RUNNING),
            task("g", TaskState.CANCELLED));

    assertThat(TaskProgress.line(tasks, RunState.Running, Duration.ofSeconds(3725)))
        .isEqualTo("3/7 tasks done (2 failed) · running: c (retrying), d, e +1 more · 1:02:05");
  }

  @Test
  void aTaskReportedTwiceCountsOnceInItsLatestState() {
    List<TaskRun> tasks =
        List.of(
            task("extract", TaskState.PENDING),
            task("load", TaskState.PENDING),
            task("extract", TaskState.RUNNING),
            task("extract", TaskState.SUCCESS));

    assertThat(TaskProgress.line(tasks, RunState.Running, Duration.ofSeconds(65)))
        .isEqualTo("1/2 tasks done · 01:05");
  }

  @Test
  void beforeAnyTaskReportsItShowsTheRunsState() {
    assertThat(TaskProgress.line(List.of(), RunState.Submitted, Duration.ofSeconds(4)))
        .isEqualTo("Submitted · no task has reported yet · 00:04");
    assertThat(TaskProgress.clock(Duration.ofSeconds(-2))).isEqualTo("00:00");
  }

  @Test
  void theStatusLineIsRedrawnInPlaceAndBlankedUnderEachPrintedLine() {
    StringWriter text = new StringWriter();
    StatusLine status = new StatusLine(new PrintWriter(text), 80);

    status.println("12:00:00 state Running");
    status.draw("0/2 tasks done · 00:01");
    status.draw("1/2 tasks done · 00:02");
    status.draw("2/2 · 00:03");
    status.println("12:00:03 state Success");

    assertThat(text.toString())
        .isEqualTo(
            "12:00:00 state Running"
                + System.lineSeparator()
                + "\r0/2 tasks done · 00:01"
                + "\r1/2 tasks done · 00:02"
                + "\r2/2 · 00:03"
                + " ".repeat(11) // what is left of the longer line before is blanked out
                + "\r"
                + " ".repeat(11)
                + "\r"
                + "12:00:03 state Success"
                + System.lineSeparator());
  }

  @Test
  void aStatusWiderThanTheTerminalIsCutSoItNeverWraps() {
    StringWriter text = new StringWriter();
    StatusLine status = new StatusLine(new PrintWriter(text), 30);

    status.draw("3/7 tasks done · running: extract, transform, load · 00:12");

    assertThat(text.toString()).isEqualTo("\r3/7 tasks done · running: ex…");
    assertThat(text.toString().length() - 1).isLessThan(30);
  }
}
