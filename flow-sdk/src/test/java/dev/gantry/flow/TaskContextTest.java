package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskContextTest {

  @Test
  void namesNoTaskOutsideATaskBody() {
    assertThat(TaskContext.currentTask()).isNull();
    assertThat(TaskContext.currentAttempt()).isZero();
  }

  @Test
  void namesTheTaskAndAttemptWhileItsBodyRunsAndForgetsThemAfterwards() throws Exception {
    Flow flow = new Flow("context");
    Task<String> task =
        flow.task("whoami", () -> TaskContext.currentTask() + "#" + TaskContext.currentAttempt());

    assertThat(task.invoke(List.of(), 2)).isEqualTo("whoami#2");
    assertThat(task.invoke(List.of())).isEqualTo("whoami#1");
    assertThat(TaskContext.currentTask()).isNull();
  }

  @Test
  void forgetsTheTaskWhenItsBodyThrows() {
    Flow flow = new Flow("context");
    Task<String> task =
        flow.task(
            "explode",
            () -> {
              throw new IllegalStateException("boom");
            });

    assertThatThrownBy(() -> task.invoke(List.of(), 1)).hasMessage("boom");
    assertThat(TaskContext.currentTask()).isNull();
  }

  @Test
  void restoresTheOuterTaskAfterANestedInvocation() throws Exception {
    Flow flow = new Flow("context");
    Task<String> inner = flow.task("inner", TaskContext::currentTask);
    Task<String> outer =
        flow.task("outer", () -> inner.invoke(List.of(), 1) + " in " + TaskContext.currentTask());

    assertThat(outer.invoke(List.of(), 1)).isEqualTo("inner in outer");
  }
}
