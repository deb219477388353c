package dev.gantry.contract;

import dev.gantry.docker.DockerLauncher;
import dev.gantry.docker.DockerSettings;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
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
 * The launcher contract for the Docker launcher: each run a real container of the Gantry image
 * (built from the repository's Dockerfile on the local base image) on the local engine, its flow on
 * the local storage of an embedded-backend home.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerLauncherContractIT extends LauncherContract {
  @TempDir static Path dir;
  private LocalGantry gantry;

  @BeforeAll
  void register() {
    GantryImage.ensureBuilt();
    gantry = new LocalGantry(dir);
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
  }

  @AfterAll
  void close() {
    if (gantry != null) {
      gantry.close();
    }
    TestDocker.removeGantryContainers();
  }

  @Override
  protected Launcher newLauncher() {
    return new DockerLauncher(DockerSettings.defaults());
  }

  @Override
  protected LaunchRequest sleepyRun(int seconds) {
    return claim(gantry, "sleepy", Map.of("seconds", Integer.toString(seconds)));
  }
}
