package dev.gantry.docker;

import dev.gantry.launch.LauncherProvider;

/** Registers {@code gantry agent start docker}. */
public final class DockerLauncherProvider implements LauncherProvider {
  @Override
  public String kind() {
    return "docker";
  }

  @Override
  public Object startCommand() {
    return new DockerAgentStartCommand();
  }
}
