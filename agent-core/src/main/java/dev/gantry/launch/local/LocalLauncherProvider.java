package dev.gantry.launch.local;

import dev.gantry.cli.LocalAgentStartCommand;
import dev.gantry.launch.LauncherProvider;

/** Registers {@code gantry agent start local}. */
public final class LocalLauncherProvider implements LauncherProvider {
  @Override
  public String kind() {
    return "local";
  }

  @Override
  public Object startCommand() {
    return new LocalAgentStartCommand();
  }
}
