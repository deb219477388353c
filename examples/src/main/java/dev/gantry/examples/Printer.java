package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;

/** A flow that prints an environment variable, for secret injection and redaction tests. */
public final class Printer {
  private Printer() {}

  /**
   * Flow "echo-env": task {@code echo} prints and returns "VARIABLE=value", or "VARIABLE=(unset)";
   * the variable is the parameter {@code variable} (default GANTRY_EXAMPLE_SECRET).
   */
  public static Flow echoEnv() {
    Flow flow = new Flow("echo-env");
    Parameter<String> variable = flow.parameter("variable", String.class, "GANTRY_EXAMPLE_SECRET");
    flow.task(
        "echo",
        variable,
        name -> {
          String value = System.getenv(name);
          String line = name + "=" + (value == null ? "(unset)" : value);
          System.out.println(line);
          return line;
        });
    return flow;
  }
}
