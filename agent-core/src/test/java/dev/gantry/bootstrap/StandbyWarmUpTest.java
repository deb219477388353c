package dev.gantry.bootstrap;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandbyWarmUpTest {

  /** The warm-up swallows its errors (it is an optimisation), so check here that it works. */
  @Test
  void theWarmUpBundleIsWrittenFetchedAndLoadedUnderTheFilterWithoutError(@TempDir Path round) {
    assertThatCode(() -> Standby.warmUpBundlePath(round)).doesNotThrowAnyException();
  }
}
