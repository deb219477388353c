package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Task;

/**
 * A flow with a task that always fails: {@code explode} ends FAILED, while the independent {@code
 * audit} still succeeds.
 */
public final class Failing {
  private Failing() {}

  /** Flow "failing": prepare ─▶ explode (throws), and audit on its own. */
  public static Flow failing() {
    Flow flow = new Flow("failing");
    Task<String> prepare = flow.task("prepare", () -> "prepared");
    flow.task(
        "explode",
        prepare,
        prepared -> {
          throw new IllegalStateException("the warehouse is on fire");
        });
    flow.task("audit", () -> "audited");
    return flow;
  }
}
