package dev.gantry.docker;

/**
 * What the engine says about a container when inspected: whether it runs, how it ended.
 *
 * @param running whether it is running
 * @param exitCode its exit code once it stopped, else null
 * @param oomKilled whether the kernel killed it for exceeding its memory limit
 * @param status the engine's status word ({@code running}, {@code exited}, {@code removing}, ...)
 * @param memoryBytes its memory limit, or null (or 0) for none
 */
record ContainerState(
    boolean running, Integer exitCode, boolean oomKilled, String status, Long memoryBytes) {

  /** Whether the engine is removing it already (someone else ran {@code docker rm}). */
  boolean beingRemoved() {
    return "removing".equals(status);
  }
}
