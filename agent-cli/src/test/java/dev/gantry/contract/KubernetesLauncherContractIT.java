package dev.gantry.contract;

import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.kubernetes.KubernetesGantry;
import dev.gantry.kubernetes.KubernetesSettings;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.testing.LauncherContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher contract for the Kubernetes launcher: each run a Job. The API server is fabric8's
 * mock server in CRUD mode, not a real kube-apiserver, because none can run on the build machines;
 * the {@link dev.gantry.kubernetes.testing.PodSimulator} plays the Job controller, scheduler,
 * kubelet and garbage collector, running each Job's pod spec as a real container of the Gantry
 * image on the local Docker engine. The pods see the flows' local storage through a hostPath volume
 * of the Job template.
 *
 * <p>On re-attachment the launcher replays the pod log from the cursor's whole second (the log API
 * takes whole seconds) and leaves dropping the protocol log events the backend already holds to the
 * agent, so it declares {@link #deliversOnlyOutputAfterTheCursor()} false.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesLauncherContractIT extends LauncherContract {
  @TempDir static Path dir;
  private KubernetesGantry gantry;
  private KubernetesSettings settings;
  private int launchers;

  @BeforeAll
  void start() {
    gantry = new KubernetesGantry(dir);
    gantry.local.registerExample("dev.gantry.examples.Sleepy#sleepy");
    settings = KubernetesSettings.builder().jobTemplate(gantry.sharedStorageTemplate()).build();
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
  }

  @Override
  protected Launcher newLauncher() {
    return gantry.newLauncher("contract-" + ++launchers, settings);
  }

  @Override
  protected LaunchRequest sleepyRun(int seconds) {
    return claim(gantry.local, "sleepy", Map.of("seconds", Integer.toString(seconds)));
  }

  @Override
  protected boolean deliversOnlyOutputAfterTheCursor() {
    return false;
  }
}
