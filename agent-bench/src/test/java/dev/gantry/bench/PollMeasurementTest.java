package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PollMeasurementTest {

  @Test
  void readsTheServerTimesFromThePlans() {
    PollMeasurement m =
        new PollMeasurement(
            3,
            1.5,
            List.of("Limit (actual time=0.01..0.02)", "Execution Time: 0.125 ms"),
            List.of("Planning Time: 0.4 ms", "Execution Time: 2.5 ms"));

    assertThat(m.pollMillis()).isEqualTo(0.125);
    assertThat(m.claimMillis()).isEqualTo(2.5);
  }

  @Test
  void aPlanWithoutExecutionTimeIsAnError() {
    PollMeasurement m = new PollMeasurement(0, 1, List.of("Limit"), List.of());

    assertThatThrownBy(m::pollMillis).hasMessageContaining("no execution time");
  }

  @Test
  void percentilesAreNearestRank() {
    assertThat(Percentiles.of(List.of(), 50)).isEqualTo(-1);
    assertThat(Percentiles.of(List.of(1L, 2L, 3L, 4L), 50)).isEqualTo(2);
    assertThat(Percentiles.of(List.of(1L, 2L, 3L, 4L), 99)).isEqualTo(4);
    assertThat(Percentiles.ofTimings(List.of(0.5), 99)).isEqualTo(0.5);
  }
}
