package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.LogRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFlusherTest {
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
  void writesTheBatchedLinesOfEverySupervisedRun() {
    SupervisedRun first = fx.superviseClaimed(fx.create(fx.register("first", 0)));
    SupervisedRun second = fx.superviseClaimed(fx.create(fx.register("second", 0)));
    first.reporter().line("hello from first");
    second.reporter().line("hello from second");
    assertThat(fx.backend.runs().logs(first.id(), 0, 10)).isEmpty();

    new LogFlusher(fx.supervised).runOnce();

    assertThat(fx.backend.runs().logs(first.id(), 0, 10))
        .extracting(LogRecord::message)
        .containsExactly("hello from first");
    assertThat(fx.backend.runs().logs(second.id(), 0, 10))
        .extracting(LogRecord::message)
        .containsExactly("hello from second");
  }
}
