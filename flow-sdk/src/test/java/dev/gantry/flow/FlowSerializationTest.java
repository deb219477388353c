package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.flow.environment.LocalEnvironment;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import dev.gantry.flow.storage.S3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlowSerializationTest {

  @Test
  void aFlowOfLambdasSurvivesJavaSerializationAndRunsAfterwards() throws Exception {
    String unit = " rows"; // captured by a lambda, so it must travel with the flow
    Flow flow = new Flow("etl");
    Parameter<Integer> rows = flow.parameter("rows", Integer.class, 3);
    Task<List<Integer>> extract =
        flow.task("extract", rows, n -> IntStream.range(0, n).boxed().toList());
    flow.task("load", extract, xs -> xs.size() + unit)
        .retries(2, Duration.ofMillis(50))
        .timeout(Duration.ofSeconds(5));
    flow.storage(S3.bucket("gantry-flows").secrets("AWS_CREDENTIALS"))
        .environment(LocalEnvironment.withImage("gantry:latest"))
        .labels("etl")
        .secrets("DB_PASSWORD");

    Flow copy = roundTrip(flow);
    FlowRunResult result = new FlowRunner(2, TaskStateListener.NONE).run(copy, Map.of("rows", "4"));

    assertThat(result.success()).isTrue();
    assertThat(result.results()).containsEntry("load", "4 rows");
    assertThat(copy.name()).isEqualTo("etl");
    assertThat(copy.task("load").maxRetries()).isEqualTo(2);
    assertThat(copy.task("load").retryDelay()).isEqualTo(Duration.ofMillis(50));
    assertThat(copy.task("load").timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(copy.storage()).isEqualTo(flow.storage());
    assertThat(copy.environment()).isEqualTo(flow.environment());
    assertThat(copy.labels()).containsExactly("etl");
    assertThat(copy.secrets()).containsExactly("DB_PASSWORD");
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
