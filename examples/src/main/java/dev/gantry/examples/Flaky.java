package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.TaskContext;
import java.time.Duration;

/** A flow whose only task fails twice before it succeeds: retries at work. */
public final class Flaky {
  private Flaky() {}

  /** Flow "flaky": task {@code unreliable} fails attempts 1 and 2 and succeeds on attempt 3. */
  public static Flow flaky() {
    Flow flow = new Flow("flaky");
    flow.task(
            "unreliable",
            () -> {
              int attempt = TaskContext.currentAttempt();
              if (attempt < 3) {
                throw new IllegalStateException("attempt " + attempt + " fails, as planned");
              }
              return "succeeded on attempt " + attempt;
            })
        .retries(2, Duration.ofMillis(200));
    return flow;
  }
}
