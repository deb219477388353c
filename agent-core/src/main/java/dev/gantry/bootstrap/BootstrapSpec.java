package dev.gantry.bootstrap;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.protocol.FlatJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the bootstrap needs to run one attempt of a flow run, as the launcher passes it in
 * environment variables (docs/bootstrap-protocol.md). Never database credentials.
 *
 * @param location the bundle's URI; for module flows {@code module:FACTORY}
 * @param digest the registered SHA-256 of a serialized bundle, else null
 * @param factory the factory reference for source and module flows, else null
 * @param secretNames the secrets the run was given, each in variable {@code GANTRY_SECRET_<NAME>}
 */
public record BootstrapSpec(
    String runId,
    int attempt,
    String flowName,
    int flowVersion,
    BundleFormat format,
    String location,
    String digest,
    String factory,
    Map<String, String> parameters,
    Set<String> secretNames) {

  public static final String RUN_ID = "GANTRY_RUN_ID";
  public static final String ATTEMPT = "GANTRY_RUN_ATTEMPT";
  public static final String FLOW_NAME = "GANTRY_FLOW_NAME";
  public static final String FLOW_VERSION = "GANTRY_FLOW_VERSION";
  public static final String FORMAT = "GANTRY_BUNDLE_FORMAT";
  public static final String LOCATION = "GANTRY_BUNDLE_LOCATION";
  public static final String DIGEST = "GANTRY_BUNDLE_SHA256";
  public static final String FACTORY = "GANTRY_FLOW_FACTORY";
  public static final String PARAMETERS = "GANTRY_PARAMETERS";
  public static final String SECRET_NAMES = "GANTRY_SECRET_NAMES";
  public static final String SECRET_PREFIX = "GANTRY_SECRET_";

  /** Optional: a file the bootstrap also writes its result line to (Kubernetes termination log). */
  public static final String TERMINATION_LOG = "GANTRY_TERMINATION_LOG";

  /** Set by the local launcher: the bootstrap stops the run when its stdin closes (agent gone). */
  public static final String WATCH_STDIN = "GANTRY_WATCH_STDIN";

  /**
   * Set by the local launcher on a warm JVM started before its run is known: it warms up, then
   * reads the run's variables as one JSON line on stdin (see {@link Standby}).
   */
  public static final String STANDBY = "GANTRY_STANDBY";

  /**
   * Set by the Docker and local launchers on a run with secrets: before anything else the bootstrap
   * reads one JSON line on stdin, an object of the {@code GANTRY_SECRET_<NAME>} variables and their
   * values, so no value is in the process environment or the container's configuration.
   */
  public static final String SECRETS_ON_STDIN = "GANTRY_SECRETS_ON_STDIN";

  public BootstrapSpec {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(flowName, "flowName");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(location, "location");
    parameters = Map.copyOf(parameters);
    secretNames = Set.copyOf(secretNames);
  }

  /** The variables a launcher sets, secret values excluded (the launcher adds those). */
  public Map<String, String> toEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(RUN_ID, runId);
    env.put(ATTEMPT, Integer.toString(attempt));
    env.put(FLOW_NAME, flowName);
    env.put(FLOW_VERSION, Integer.toString(flowVersion));
    env.put(FORMAT, format.name());
    env.put(LOCATION, location);
    if (digest != null) {
      env.put(DIGEST, digest);
    }
    if (factory != null) {
      env.put(FACTORY, factory);
    }
    env.put(PARAMETERS, FlatJson.encode(new java.util.TreeMap<>(parameters)));
    env.put(SECRET_NAMES, String.join(",", new TreeSet<>(secretNames)));
    return env;
  }

  /** The {@code GANTRY_SECRET_<NAME>} variables of {@code env} with their values. */
  public static Map<String, String> secretVariables(Map<String, String> env) {
    Map<String, String> secrets = new LinkedHashMap<>();
    env.forEach(
        (name, value) -> {
          if (isSecretVariable(name)) {
            secrets.put(name, value);
          }
        });
    return secrets;
  }

  /** {@code env} without its secret values ({@link #SECRET_NAMES} stays). */
  public static Map<String, String> withoutSecretValues(Map<String, String> env) {
    Map<String, String> rest = new LinkedHashMap<>(env);
    rest.keySet().removeIf(BootstrapSpec::isSecretVariable);
    return rest;
  }

  /** Whether a variable carries a secret's value: {@code GANTRY_SECRET_<NAME>}. */
  public static boolean isSecretVariable(String name) {
    return name.startsWith(SECRET_PREFIX) && !name.equals(SECRET_NAMES);
  }

  /**
   * Reads the spec from the environment.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static BootstrapSpec fromEnvironment(Map<String, String> env) {
    String format = required(env, FORMAT);
    BundleFormat bundleFormat;
    try {
      bundleFormat = BundleFormat.valueOf(format);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          FORMAT + " is '" + format + "'; expected serialized, source or module");
    }
    Map<String, String> parameters;
    try {
      parameters = FlatJson.decodeStrings(env.getOrDefault(PARAMETERS, "{}"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          PARAMETERS + " is not a JSON object of strings: " + e.getMessage());
    }
    Set<String> secrets = new TreeSet<>();
    for (String name : env.getOrDefault(SECRET_NAMES, "").split(",")) {
      if (!name.isBlank()) {
        secrets.add(name.trim());
      }
    }
    return new BootstrapSpec(
        required(env, RUN_ID),
        integer(env, ATTEMPT),
        required(env, FLOW_NAME),
        integer(env, FLOW_VERSION),
        bundleFormat,
        required(env, LOCATION),
        env.get(DIGEST),
        env.get(FACTORY),
        parameters,
        secrets);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name + " is not set; the bootstrap runs only as launched by a Gantry agent");
    }
    return value;
  }

  private static int integer(Map<String, String> env, String name) {
    String value = required(env, name);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is '" + value + "', not a number");
    }
  }
}
