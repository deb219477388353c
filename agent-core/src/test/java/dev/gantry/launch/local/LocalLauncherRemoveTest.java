package dev.gantry.launch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Infrastructure;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the reconciler asks of the local launcher: removing a run's JVM kills it if it lives. */
class LocalLauncherRemoveTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path home;

  @Test
  void removingTheInfrastructureOfARunKillsItsJvmAndToleratesItBeingGone() {
    try (LocalGantry gantry = new LocalGantry(home)) {
      gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
      gantry.startAgent(LocalGantry.quickOptions("remover"));
      FlowRun run = gantry.run("sleepy", Map.of("seconds", "60"));
      gantry.awaitState(run.id(), RunState.Running, WITHIN);
      Infrastructure infrastructure =
          gantry.launcher.discover().stream()
              .filter(found -> found.runId().equals(run.id()))
              .findFirst()
              .orElseThrow();
      long pid = Long.parseLong(infrastructure.id());
      assertThat(infrastructure.attempt()).isEqualTo(1);
      assertThat(infrastructure.running()).isTrue();

      gantry.launcher.remove(infrastructure);

      await()
          .atMost(WITHIN)
          .until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
      assertThat(done.state()).isEqualTo(RunState.Crashed);
      assertThat(done.message()).contains("exit code 137");
      gantry.launcher.remove(infrastructure); // gone already: nothing happens
      assertThat(gantry.launcher.discover()).noneMatch(found -> found.runId().equals(run.id()));
    }
  }
}
