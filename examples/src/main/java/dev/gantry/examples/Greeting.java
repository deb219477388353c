package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;

/** A flow with a required parameter. */
public final class Greeting {
  private Greeting() {}

  /**
   * Flow "greeting": task {@code greet} prints "Hello, NAME!" {@code times} times (default 1) and
   * returns the greeting; {@code name} is required.
   */
  public static Flow greeting() {
    Flow flow = new Flow("greeting");
    Parameter<String> name = flow.parameter("name", String.class);
    Parameter<Integer> times = flow.parameter("times", Integer.class, 1);
    flow.task(
        "greet",
        name,
        times,
        (who, n) -> {
          if (n < 0) {
            throw new IllegalArgumentException("times must be >= 0, got " + n);
          }
          String greeting = "Hello, " + who + "!";
          for (int i = 0; i < n; i++) {
            System.out.println(greeting);
          }
          return greeting;
        });
    return flow;
  }
}
