package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void aScheduleIsACronExpressionOrAnIntervalOfAtLeastOneSecond() {
    assertThat(Schedule.cron(" 0 * * * * ? ").cron()).isEqualTo("0 * * * * ?");
    assertThat(Schedule.every(Duration.ofMinutes(5)).interval()).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> Schedule.cron(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(500)))
        .hasMessageContaining("at least 1 s");
    assertThatThrownBy(() -> new Schedule("0 * * * * ?", Duration.ofMinutes(1)))
        .hasMessageContaining("either");
  }

  @Test
  void aFlowKeepsItsScheduleThroughSerialization() throws Exception {
    Flow flow = new Flow("nightly").schedule(Schedule.cron("0 0 2 * * ?"));
    flow.task("report", () -> "done");

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(flow);
    }
    Flow copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (Flow) in.readObject();
    }

    assertThat(copy.schedule()).isEqualTo(Schedule.cron("0 0 2 * * ?"));
    assertThat(new Flow("plain").schedule()).isNull();
  }
}
