package dev.gantry.flow.run;

import dev.gantry.flow.Flow;
import java.util.Map;

/**
 * Runs a flow in this process: independent tasks run in parallel on a bounded pool; retries, delays
 * and timeouts per task; every task state change goes to the listener.
 */
public final class FlowRunner {
  private final int parallelism;
  private final TaskStateListener listener;

  /**
   * @param parallelism the most tasks running at once (>= 1)
   */
  public FlowRunner(int parallelism, TaskStateListener listener) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1");
    }
    this.parallelism = parallelism;
    this.listener = listener;
  }

  /**
   * Runs the flow to its end with the given parameter values (text, parsed per parameter type;
   * missing ones take their defaults).
   *
   * @throws dev.gantry.flow.ParameterException before any task starts, naming a parameter that is
   *     unknown, required and missing, or malformed
   */
  public FlowRunResult run(Flow flow, Map<String, String> parameters) throws InterruptedException {
    throw new IllegalStateException(
        "FlowRunner is being written (parallelism " + parallelism + ", " + listener + ")");
  }
}
