package dev.gantry.bootstrap;

/**
 * The bootstrap's exit codes. Any other code (137 for SIGKILL, a JVM crash, System.exit from flow
 * code) means the run did not end through the bootstrap: the agent records it as Crashed.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Every task succeeded. */
  public static final int SUCCESS = 0;

  /** The flow ran and a task failed or timed out. */
  public static final int FLOW_FAILED = 10;

  /** The bundle could not be fetched, verified or loaded. */
  public static final int LOAD_FAILED = 11;

  /** The launch environment or the run's parameters are invalid. */
  public static final int BAD_INPUT = 12;

  /** The run was cancelled (SIGTERM) and stopped its tasks. */
  public static final int CANCELLED = 13;

  /** The agent that launched the run went away (local launcher: stdin closed). */
  public static final int AGENT_LOST = 14;

  /** Whether a code is one the bootstrap chose, as opposed to a crash. */
  public static boolean isBootstrapCode(int code) {
    return code == SUCCESS
        || code == FLOW_FAILED
        || code == LOAD_FAILED
        || code == BAD_INPUT
        || code == CANCELLED
        || code == AGENT_LOST;
  }
}
