package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisedRunsTest {
  @TempDir Path home;
  private TaskFixture fx;

  @BeforeEach
  void setUp() {
    fx = new TaskFixture(home);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void aReleasedRunFreesItsSlotAndWakesTheClaimLoop() throws InterruptedException {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("released", 0)));
    assertThat(fx.supervised.slotsTaken()).isEqualTo(1);
    assertThat(fx.supervised.held()).containsExactly(run.id());

    fx.supervised.release(run);

    assertThat(fx.supervised.slotsTaken()).isZero();
    assertThat(fx.supervised.awaitWake(Duration.ofMillis(10))).isTrue();
    assertThat(fx.supervised.awaitWake(Duration.ofMillis(10))).isFalse();
  }

  @Test
  void runsLeftForAdoptionAreNoLongerActive() {
    SupervisedRun run = fx.superviseClaimed(fx.create(fx.register("left", 0)));

    assertThat(fx.supervised.leaveForAdoption()).isEqualTo(1);

    assertThat(fx.supervised.isEmpty()).isTrue();
    assertThat(fx.supervised.isLeftForAdoption(run.id())).isTrue();
  }
}
