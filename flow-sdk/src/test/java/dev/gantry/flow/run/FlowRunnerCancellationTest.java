package dev.gantry.flow.run;

import static dev.gantry.flow.TaskState.CANCELLED;
import static dev.gantry.flow.TaskState.PENDING;
import static dev.gantry.flow.TaskState.RETRYING;
import static dev.gantry.flow.TaskState.RUNNING;
import static dev.gantry.flow.TaskState.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Task;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FlowRunnerCancellationTest {
  private final RecordingListener listener = new RecordingListener();

  @Test
  void cancelsUnfinishedTasksInterruptsRunningOnesAndThrowsWhenTheCallerIsInterrupted() {
    AtomicBoolean napInterrupted = new AtomicBoolean();
    Flow flow = new Flow("sleepy");
    flow.task("quick", () -> "done");
    Task<String> nap =
        flow.task(
            "nap",
            () -> {
              try {
                TimeUnit.SECONDS.sleep(60);
                return "rested";
              } catch (InterruptedException e) {
                napInterrupted.set(true);
                throw e;
              }
            });
    flow.task("after-nap", nap, rested -> "never");
    flow.task(
            "retrying",
            () -> {
              throw new IllegalStateException("not yet");
            })
        .retries(1, Duration.ofMinutes(10));

    BackgroundRun run = BackgroundRun.start(new FlowRunner(2, listener), flow);
    await()
        .until(
            () ->
                listener.currentStateOf("nap") == RUNNING
                    && listener.currentStateOf("quick") == SUCCESS
                    && listener.currentStateOf("retrying") == RETRYING);
    run.interrupt();

    assertThat(run.awaitFailure()).isInstanceOf(InterruptedException.class);
    assertThat(napInterrupted).isTrue();
    assertThat(listener.changesOf("nap"))
        .extracting(TaskStateChange::state, TaskStateChange::attempt)
        .containsExactly(tuple(PENDING, 0), tuple(RUNNING, 1), tuple(CANCELLED, 1));
    assertThat(listener.statesOf("after-nap")).containsExactly(PENDING, CANCELLED);
    assertThat(listener.statesOf("retrying")).endsWith(RETRYING, CANCELLED);
    assertThat(listener.statesOf("quick")).containsExactly(PENDING, RUNNING, SUCCESS);
    await().until(() -> TaskThreads.alive().isEmpty());
  }

  @Test
  void startsNoTaskWhenTheCallerIsAlreadyInterrupted() {
    Flow flow = new Flow("never");
    flow.task("first", () -> "first");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> new FlowRunner(1, listener).run(flow, Map.of()))
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }

    assertThat(listener.statesOf("first")).containsExactly(PENDING, CANCELLED);
  }
}
