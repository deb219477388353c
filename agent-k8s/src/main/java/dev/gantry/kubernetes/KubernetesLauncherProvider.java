package dev.gantry.kubernetes;

import dev.gantry.launch.LauncherProvider;

/**
 * Registers {@code gantry agent start kubernetes}; {@link #installCommand()} is {@code gantry agent
 * install kubernetes}.
 */
public final class KubernetesLauncherProvider implements LauncherProvider {
  @Override
  public String kind() {
    return "kubernetes";
  }

  @Override
  public Object startCommand() {
    return new KubernetesAgentStartCommand();
  }

  /** A new picocli command object for {@code gantry agent install kubernetes}. */
  @Override
  public Object installCommand() {
    return new KubernetesInstallCommand();
  }
}
