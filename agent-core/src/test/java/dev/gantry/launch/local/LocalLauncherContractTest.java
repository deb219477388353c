package dev.gantry.launch.local;

import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.testing.LauncherContract;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher contract for the local launcher: each run a real child JVM with this JVM's class
 * path. Child JVMs stop with their agent's pipe, so only the launcher that started a run finds it
 * (the contract checks that instead of a find after a restart).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalLauncherContractTest extends LauncherContract {
  @TempDir static Path home;
  private LocalGantry gantry;

  @BeforeAll
  void register() {
    gantry = new LocalGantry(home);
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
  }

  @AfterAll
  void close() {
    gantry.close();
  }

  @Override
  protected Launcher newLauncher() {
    return new LocalLauncher(LocalGantry.CHILD_JVM);
  }

  @Override
  protected LaunchRequest sleepyRun(int seconds) {
    return claim(gantry, "sleepy", Map.of("seconds", Integer.toString(seconds)));
  }
}
