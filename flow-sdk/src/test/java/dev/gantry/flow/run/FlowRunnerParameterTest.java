package dev.gantry.flow.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.ParameterException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FlowRunnerParameterTest {
  private final RecordingListener listener = new RecordingListener();
  private final AtomicBoolean taskRan = new AtomicBoolean();
  private final Flow flow = new Flow("greeting");
  private final Parameter<String> name = flow.parameter("name", String.class);
  private final Parameter<Integer> times = flow.parameter("times", Integer.class, 1);
  private final Parameter<Duration> pause =
      flow.parameter("pause", Duration.class, Duration.ofSeconds(1));

  FlowRunnerParameterTest() {
    flow.task(
        "greet",
        name,
        times,
        pause,
        (who, n, p) -> {
          taskRan.set(true);
          return ("Hello, " + who + "! ").repeat(n) + p;
        });
  }

  @Test
  void parsesGivenValuesAndTakesDefaultsForTheOthers() throws Exception {
    FlowRunResult result =
        new FlowRunner(1, listener).run(flow, Map.of("name", "Ada", "times", " 2 "));

    assertThat(result.results()).containsEntry("greet", "Hello, Ada! Hello, Ada! PT1S");
  }

  @Test
  void rejectsAnUnknownParameterBeforeAnyTaskStarts() {
    assertThatThrownBy(
            () -> new FlowRunner(1, listener).run(flow, Map.of("name", "Ada", "tiems", "2")))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "unknown parameter 'tiems' for flow 'greeting' (its parameters: name, times, pause)");
    assertNothingStarted();
  }

  @Test
  void rejectsAMissingRequiredParameterBeforeAnyTaskStarts() {
    assertThatThrownBy(() -> new FlowRunner(1, listener).run(flow, Map.of("times", "2")))
        .isInstanceOf(ParameterException.class)
        .hasMessage("parameter 'name' (String) is required by flow 'greeting' but was not given");
    assertNothingStarted();
  }

  @Test
  void countsANullValueAsNotGiven() {
    Map<String, String> nullName = new HashMap<>();
    nullName.put("name", null);

    assertThatThrownBy(() -> new FlowRunner(1, listener).run(flow, nullName))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("parameter 'name' (String) is required");
  }

  @Test
  void rejectsAMalformedValueBeforeAnyTaskStarts() {
    assertThatThrownBy(
            () -> new FlowRunner(1, listener).run(flow, Map.of("name", "Ada", "pause", "5 min")))
        .isInstanceOf(ParameterException.class)
        .hasMessage("parameter 'pause' expects Duration but got '5 min'");
    assertNothingStarted();
  }

  @Test
  void namesEveryUnknownParameterAndSaysWhenTheFlowHasNone() {
    Flow withoutParameters = new Flow("plain");
    withoutParameters.task("only", () -> "done");

    assertThatThrownBy(
            () -> new FlowRunner(1, listener).run(withoutParameters, Map.of("b", "1", "a", "2")))
        .isInstanceOf(ParameterException.class)
        .hasMessage("unknown parameters 'a', 'b' for flow 'plain' (it has no parameters)");
  }

  private void assertNothingStarted() {
    assertThat(taskRan).isFalse();
    assertThat(listener.changes()).isEmpty();
  }
}
