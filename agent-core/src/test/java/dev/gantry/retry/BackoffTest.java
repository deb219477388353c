package dev.gantry.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheFirstDelayUpToTheCap() {
    Backoff backoff =
        Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(500)).withJitter(0);
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.failures()).isEqualTo(5);
  }

  @Test
  void aSuccessStartsOverAtTheFirstDelay() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30));
    Backoff exact = backoff.withJitter(0);
    exact.nextDelay();
    exact.nextDelay();
    exact.reset();
    assertThat(exact.failures()).isZero();
    assertThat(exact.nextDelay()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterOnlyShortensTheDelayWithinItsFraction() {
    Backoff lowest =
        Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10))
            .withJitter(0.2)
            .withRandom(() -> 0.999999);
    Backoff highest =
        Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10))
            .withJitter(0.2)
            .withRandom(() -> 0.0);
    assertThat(lowest.nextDelay()).isEqualTo(Duration.ofSeconds(8));
    assertThat(highest.nextDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void manyFailuresNeverOverflowPastTheCap() {
    Backoff backoff =
        Backoff.exponential(Duration.ofMillis(1), Duration.ofMinutes(5)).withJitter(0);
    Duration last = Duration.ZERO;
    for (int i = 0; i < 10_000; i++) {
      last = backoff.nextDelay();
    }
    assertThat(last).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void refusesAPolicyThatCannotWork() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("shorter than the first");
  }
}
