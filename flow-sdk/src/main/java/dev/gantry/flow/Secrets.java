package dev.gantry.flow;

import java.util.Map;
import java.util.Objects;

/**
 * The values of the secrets a run was given, for task code:
 *
 * <pre>{@code
 * Flow flow = new Flow("report").secrets("SMTP_PASSWORD");
 * flow.task("send", () -> mailer.login(Secrets.get("SMTP_PASSWORD")));
 * }</pre>
 *
 * A run receives the secrets its flow, storage and environment name; the agent resolves them at
 * launch. Local and Docker runs receive the values on the bootstrap's standard input, never in the
 * process environment or the container's configuration; Kubernetes runs as the variables {@code
 * GANTRY_SECRET_<NAME>} that reference a Kubernetes Secret. Either way {@link #get} returns them.
 * Never print or log a value: the agent masks known values in a run's output, but only in what it
 * sees.
 */
public final class Secrets {
  /** The prefix of the environment variable that carries a secret's value. */
  public static final String VARIABLE_PREFIX = "GANTRY_SECRET_";

  /** Values the bootstrap received other than through the environment, by variable name. */
  private static volatile Map<String, String> delivered = Map.of();

  private Secrets() {}

  /**
   * Called by the Gantry bootstrap before the flow runs: the values it read from its standard
   * input, by variable ({@code GANTRY_SECRET_<NAME>}). They take precedence over the process
   * environment. Task code never calls this.
   */
  public static void deliver(Map<String, String> variables) {
    Objects.requireNonNull(variables, "variables");
    delivered = Map.copyOf(variables);
  }

  /**
   * The value of the named secret.
   *
   * @throws IllegalStateException naming the secret when this run was not given it
   */
  public static String get(String name) {
    String value = delivered.get(variable(name));
    return value != null ? value : get(name, System.getenv());
  }

  /** As {@link #get(String)}, reading the given environment (for tests of task code). */
  public static String get(String name, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    String value = environment.get(variable(name));
    if (value == null) {
      throw new IllegalStateException(
          "secret '"
              + name
              + "' is not available to this run (no "
              + variable(name)
              + "): name it in the flow with flow.secrets(\""
              + name
              + "\") (or on its storage or environment), set it with `gantry secret set "
              + name
              + "`, and register the flow again");
    }
    return value;
  }

  /**
   * The environment variable that carries the named secret: {@code GANTRY_SECRET_<NAME>}.
   *
   * @throws IllegalArgumentException when the name is not a valid secret name
   */
  public static String variable(String name) {
    return VARIABLE_PREFIX + checkName(name);
  }

  /**
   * Checks a secret name: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or
   * digit.
   */
  public static String checkName(String name) {
    return Names.check("secret", name);
  }
}
