package dev.gantry.kubernetes;

import dev.gantry.launch.Launcher;
import dev.gantry.launch.LauncherProvider;

/** The {@code kubernetes} kind: each run as a Kubernetes Job. */
public final class KubernetesLauncherProvider implements LauncherProvider<KubernetesSettings> {
  @Override
  public String kind() {
    return "kubernetes";
  }

  @Override
  public Class<KubernetesSettings> settingsType() {
    return KubernetesSettings.class;
  }

  @Override
  public Launcher create(KubernetesSettings settings) {
    return new KubernetesLauncher(settings);
  }
}
