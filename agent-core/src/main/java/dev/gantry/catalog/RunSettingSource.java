package dev.gantry.catalog;

/** Where a run setting came from, shown by {@code flow list} and {@code run show}. */
public enum RunSettingSource {
  /** The flow's environment ({@code DockerRun}, {@code KubernetesRun}...) in its code. */
  flow,
  /** An option at registration ({@code --memory}, {@code --run-env}...): wins over the flow's. */
  registration,
  /** The agent's own default, used where the flow version sets nothing. */
  agent
}
