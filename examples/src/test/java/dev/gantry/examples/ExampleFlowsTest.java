package dev.gantry.examples;

import static dev.gantry.flow.TaskState.FAILED;
import static dev.gantry.flow.TaskState.RUNNING;
import static dev.gantry.flow.TaskState.SUCCESS;
import static dev.gantry.flow.TaskState.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.ParameterException;
import dev.gantry.flow.Task;
import dev.gantry.flow.environment.LocalEnvironment;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateChange;
import dev.gantry.flow.storage.S3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Builds every example flow the way the agent does and runs it in process. */
class ExampleFlowsTest {
  private final List<TaskStateChange> changes = new CopyOnWriteArrayList<>();
  private final FlowRunner runner = new FlowRunner(4, changes::add);
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private PrintStream originalOut;

  @BeforeEach
  void capturePrintedLines() {
    originalOut = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStandardOutput() {
    System.setOut(originalOut);
  }

  @Test
  void etlLoadsTheSumOfSquaresOfItsRows() throws Exception {
    FlowRunResult result = runner.run(Etl.etl(), Map.of());

    assertThat(result.success()).isTrue();
    assertThat(result.taskStates()).containsOnlyKeys("extract", "transform", "count", "load");
    assertThat(result.results()).containsEntry("load", "loaded 100 rows, sum of squares 328350");
    assertThat(printedLines()).containsExactly("loaded 100 rows, sum of squares 328350");
  }

  @Test
  void etlTakesTheNumberOfRowsAsAParameter() throws Exception {
    FlowRunResult result = runner.run(Etl.etl(), Map.of("rows", "3"));

    assertThat(result.results()).containsEntry("load", "loaded 3 rows, sum of squares 5");
  }

  @Test
  void etlOnS3RunsTheEtlTasksAndIsStoredInTheGantryFlowsBucket() throws Exception {
    Flow flow = S3Flows.etlOnS3();

    assertThat(flow.name()).isEqualTo("etl-s3");
    assertThat(flow.storage()).isInstanceOf(S3.class);
    S3 storage = (S3) flow.storage();
    assertThat(storage.bucket()).isEqualTo("gantry-flows");
    assertThat(storage.secrets()).containsExactly("AWS_CREDENTIALS");
    assertThat(storage.defaultLabels()).containsExactly(S3.DEFAULT_LABEL);
    assertThat(flow.environment()).isEqualTo(LocalEnvironment.withImage("gantry:latest"));
    FlowRunResult result = runner.run(flow, Map.of("rows", "100"));
    assertThat(result.taskStates()).containsOnlyKeys("extract", "transform", "count", "load");
    assertThat(result.results()).containsEntry("load", "loaded 100 rows, sum of squares 328350");
  }

  @Test
  void failingFailsExplodeAndStillRunsTheIndependentAudit() throws Exception {
    FlowRunResult result = runner.run(Failing.failing(), Map.of());

    assertThat(result.success()).isFalse();
    assertThat(result.taskStates())
        .containsExactly(
            Map.entry("prepare", SUCCESS),
            Map.entry("explode", FAILED),
            Map.entry("audit", SUCCESS));
    assertThat(result.message())
        .isEqualTo("task 'explode' failed: IllegalStateException: the warehouse is on fire");
  }

  @Test
  void sleepyRestsForTheGivenSeconds() throws Exception {
    FlowRunResult result = runner.run(Sleepy.sleepy(), Map.of("seconds", "0"));

    assertThat(result.results()).containsEntry("nap", "rested");
  }

  @Test
  void flakySucceedsOnItsThirdAttempt() throws Exception {
    FlowRunResult result = runner.run(Flaky.flaky(), Map.of());

    assertThat(result.success()).isTrue();
    assertThat(result.results()).containsEntry("unreliable", "succeeded on attempt 3");
    assertThat(changes)
        .filteredOn(change -> change.state() == RUNNING || change.state() == SUCCESS)
        .extracting(TaskStateChange::state, TaskStateChange::attempt)
        .containsExactly(
            tuple(RUNNING, 1), tuple(RUNNING, 2), tuple(RUNNING, 3), tuple(SUCCESS, 3));
  }

  @Test
  void slowTimesOutAfterOneSecond() throws Exception {
    FlowRunResult result = runner.run(Slow.slow(), Map.of());

    assertThat(result.taskStates()).containsEntry("stuck", TIMED_OUT);
    assertThat(result.message()).isEqualTo("task 'stuck' timed out after 1 s");
  }

  @Test
  void greetingGreetsTheNamedPersonTheGivenNumberOfTimes() throws Exception {
    FlowRunResult result = runner.run(Greeting.greeting(), Map.of("name", "Ada", "times", "3"));

    assertThat(result.results()).containsEntry("greet", "Hello, Ada!");
    assertThat(printedLines()).containsExactly("Hello, Ada!", "Hello, Ada!", "Hello, Ada!");
  }

  @Test
  void greetingRequiresAName() {
    assertThatThrownBy(() -> runner.run(Greeting.greeting(), Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("parameter 'name' (String) is required");
  }

  @Test
  void chattyPrintsTheGivenNumberOfLines() throws Exception {
    FlowRunResult result = runner.run(Chatty.chatty(), Map.of("lines", "3"));

    assertThat(result.results()).containsEntry("talk", 3);
    assertThat(printedLines()).containsExactly("line 1 of 3", "line 2 of 3", "line 3 of 3");
  }

  @Test
  void echoEnvPrintsTheValueOfTheVariable() throws Exception {
    FlowRunResult result = runner.run(Printer.echoEnv(), Map.of("variable", "PATH"));

    String expected = "PATH=" + System.getenv("PATH");
    assertThat(result.results()).containsEntry("echo", expected);
    assertThat(printedLines()).containsExactly(expected);
  }

  @Test
  void echoEnvSaysWhenTheVariableIsUnset() throws Exception {
    String unset = "GANTRY_EXAMPLE_SURELY_UNSET_" + System.nanoTime();

    FlowRunResult result = runner.run(Printer.echoEnv(), Map.of("variable", unset));

    assertThat(result.results()).containsEntry("echo", unset + "=(unset)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "dev.gantry.examples.Etl#etl, etl",
    "dev.gantry.examples.Failing#failing, failing",
    "dev.gantry.examples.Sleepy#sleepy, sleepy",
    "dev.gantry.examples.Flaky#flaky, flaky",
    "dev.gantry.examples.Slow#slow, slow",
    "dev.gantry.examples.Greeting#greeting, greeting",
    "dev.gantry.examples.Chatty#chatty, chatty",
    "dev.gantry.examples.Printer#echoEnv, echo-env",
    "dev.gantry.examples.S3Flows#etlOnS3, etl-s3",
    "dev.gantry.examples.Nightly#nightly, nightly"
  })
  void everyExampleIsBuiltByItsFactoryReferenceAndSurvivesSerialization(
      String reference, String flowName) throws Exception {
    Flow flow = FlowFactory.parse(reference).build(getClass().getClassLoader());

    Flow copy = roundTrip(flow);

    assertThat(copy.name()).isEqualTo(flowName);
    assertThat(names(copy)).isEqualTo(names(flow));
  }

  @Test
  void aSerializedEtlRunsLikeTheOriginal() throws Exception {
    FlowRunResult result = runner.run(roundTrip(Etl.etl()), Map.of("rows", "10"));

    assertThat(result.results()).containsEntry("load", "loaded 10 rows, sum of squares 285");
  }

  private List<String> printedLines() {
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private static List<String> names(Flow flow) {
    return flow.tasks().stream().map(Task::name).toList();
  }

  private static Flow roundTrip(Flow flow) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(flow);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (Flow) in.readObject();
    }
  }
}
