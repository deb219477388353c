package dev.gantry.docker;

import java.util.Optional;

/**
 * What a {@link ContainerSupervisor} asks of the Docker engine about its container: the port that
 * lets the per-container state machine be driven by a script in tests, as {@code JobRun} is by its
 * {@code Platform}.
 */
interface ContainerEngine {

  /**
   * Inspects the container.
   *
   * @return its state, or empty when the engine has no such container (any more)
   * @throws RuntimeException when the engine cannot be asked
   */
  Optional<ContainerState> inspect(String containerId);

  /** Removes the container with its volumes, forcibly; logs instead of throwing. */
  void remove(String containerId);

  /**
   * Sends a signal ({@code SIGTERM}, {@code SIGKILL}); a container already stopped or gone is fine.
   *
   * @throws RuntimeException when the engine failed otherwise
   */
  void signal(String containerId, String signal);
}
