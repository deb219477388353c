package dev.gantry.examples;

import dev.gantry.flow.Flow;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Secrets;

/** A flow that prints an environment variable, for secret injection and redaction tests. */
public final class Printer {
  private Printer() {}

  /**
   * Flow "echo-env": task {@code echo} prints and returns "VARIABLE=value", or "VARIABLE=(unset)";
   * the variable is the parameter {@code variable} (default GANTRY_EXAMPLE_SECRET). A secret's
   * variable ({@code GANTRY_SECRET_<NAME>}) is read as task code reads it, with {@link
   * Secrets#get}: its value reaches the run on the bootstrap's stdin, not in the process
   * environment.
   */
  public static Flow echoEnv() {
    Flow flow = new Flow("echo-env");
    Parameter<String> variable = flow.parameter("variable", String.class, "GANTRY_EXAMPLE_SECRET");
    flow.task(
        "echo",
        variable,
        name -> {
          String value = valueOf(name);
          String line = name + "=" + (value == null ? "(unset)" : value);
          System.out.println(line);
          return line;
        });
    return flow;
  }

  private static String valueOf(String variable) {
    if (variable.startsWith(Secrets.VARIABLE_PREFIX)) {
      try {
        return Secrets.get(variable.substring(Secrets.VARIABLE_PREFIX.length()));
      } catch (IllegalStateException | IllegalArgumentException notGiven) {
        return null;
      }
    }
    return System.getenv(variable);
  }
}
