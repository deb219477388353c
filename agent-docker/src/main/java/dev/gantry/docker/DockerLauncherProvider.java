package dev.gantry.docker;

import dev.gantry.launch.Launcher;
import dev.gantry.launch.LauncherProvider;

/** The {@code docker} kind: each run as a Docker container. */
public final class DockerLauncherProvider implements LauncherProvider<DockerSettings> {
  @Override
  public String kind() {
    return "docker";
  }

  @Override
  public Class<DockerSettings> settingsType() {
    return DockerSettings.class;
  }

  @Override
  public Launcher create(DockerSettings settings) {
    return new DockerLauncher(settings);
  }
}
