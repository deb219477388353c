package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AgentTaskTest {

  @Test
  void aFailingPassIsContainedAndTheNextPassRuns() {
    AtomicInteger passes = new AtomicInteger();
    AgentTask task =
        new AgentTask() {
          @Override
          public String name() {
            return "flaky";
          }

          @Override
          public void runOnce() {
            if (passes.incrementAndGet() == 1) {
              throw new IllegalStateException("first pass fails\non two lines");
            }
          }
        };

    assertThatCode(task::runGuarded).doesNotThrowAnyException();
    task.runGuarded();

    assertThat(passes).hasValue(2);
  }

  @Test
  void describesAFailureOnOneLine() {
    assertThat(Failures.oneLine(new IllegalStateException("a\nb"))).isEqualTo("a b");
    assertThat(Failures.oneLine(new IllegalStateException())).isEqualTo("IllegalStateException");
    assertThat(Failures.oneLine(null)).isEqualTo("unknown error");
  }
}
