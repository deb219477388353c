package dev.gantry.supervision;

import org.slf4j.LoggerFactory;

/**
 * One named periodic job of an agent. Each pass runs inside the task's own error boundary: a
 * failing pass logs one line and the next pass tries again; it never stops the other tasks.
 */
public interface AgentTask {

  /** The task's name in logs: "heartbeat", "reconciler"... */
  String name();

  /** One pass of the task; may throw, {@link #runGuarded()} catches it. */
  void runOnce();

  /** Runs one pass inside the task's error boundary. */
  default void runGuarded() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(AgentTask.class)
          .warn("agent task '{}' failed: {}", name(), Failures.oneLine(e));
    }
  }
}
