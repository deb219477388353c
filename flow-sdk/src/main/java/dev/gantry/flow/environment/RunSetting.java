package dev.gantry.flow.environment;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The settings a flow may ask of the infrastructure its runs get, by the name they are stored and
 * shown under ({@code memory=2g}, {@code env.MODE=full}). Each checks its value when set, so a
 * malformed one fails where it is written, with one line naming it.
 */
public enum RunSetting {
  /** {@code env.NAME}: an environment variable of the run. */
  ENV("env.", "an environment variable name such as MODE"),
  /** The run's maximum duration; the agent stops it after that. */
  RUN_TIMEOUT("run-timeout", "a duration such as 90s, 30m, 2h or PT1H30M"),
  /** Docker: the container's memory limit. */
  MEMORY("memory", "a size such as 512m, 2g or 2Gi"),
  /** Docker: the CPUs the container may use. */
  CPUS("cpus", "a positive number of CPUs such as 1.5"),
  /** Docker: a privileged container. */
  PRIVILEGED("privileged", "true or false"),
  /** Docker: the host's network. */
  HOST_NETWORK("host-network", "true or false"),
  /** Docker: host paths mounted into the container, {@code /host:/container,...}. */
  HOST_PATHS("host-paths", "absolute paths such as /data:/in"),
  /** Docker: Linux capabilities added, {@code NET_ADMIN,SYS_TIME}. */
  CAP_ADD("cap-add", "capability names such as NET_ADMIN"),
  /** Kubernetes: the container's CPU request. */
  CPU_REQUEST("cpu-request", "a CPU quantity such as 500m or 1.5"),
  /** Kubernetes: the container's CPU limit. */
  CPU_LIMIT("cpu-limit", "a CPU quantity such as 500m or 1.5"),
  /** Kubernetes: the container's memory request. */
  MEMORY_REQUEST("memory-request", "a size such as 512Mi or 2Gi"),
  /** Kubernetes: the container's memory limit. */
  MEMORY_LIMIT("memory-limit", "a size such as 512Mi or 2Gi"),
  /** Kubernetes: the pod's service account. */
  SERVICE_ACCOUNT("service-account", "a Kubernetes name such as etl"),
  /** Kubernetes: the container's image pull policy. */
  IMAGE_PULL_POLICY("image-pull-policy", "Always, IfNotPresent or Never"),
  /** Kubernetes: a Job template (YAML) merged over the agent's. */
  JOB_TEMPLATE("job-template", "a Job manifest in YAML");

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern MEMORY_SIZE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(b|k|m|g|t|Ki|Mi|Gi|Ti|K|M|G|T)?");
  private static final Pattern CAPABILITY = Pattern.compile("[A-Z][A-Z_]*");

  private final String key;
  private final String expected;

  RunSetting(String key, String expected) {
    this.key = key;
    this.expected = expected;
  }

  /** The stored name; for {@link #ENV} the prefix of {@code env.NAME}. */
  public String key() {
    return key;
  }

  /** The setting a stored name is of. */
  public static RunSetting named(String name) {
    if (name != null && name.startsWith(ENV.key)) {
      return ENV;
    }
    for (RunSetting s : values()) {
      if (s != ENV && s.key.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown run setting '" + name + "'; known: env.NAME" + knownNames());
  }

  private static String knownNames() {
    StringBuilder out = new StringBuilder();
    for (RunSetting s : values()) {
      if (s != ENV) {
        out.append(", ").append(s.key);
      }
    }
    return out.toString();
  }

  /**
   * Checks one setting and returns its value as stored (a timeout as ISO-8601, a pull policy in
   * Kubernetes' spelling).
   *
   * @throws IllegalArgumentException one line naming the setting and what is expected
   */
  public static String check(String name, String value) {
    RunSetting setting = named(name);
    if (value == null || value.isBlank()) {
      throw setting.refuse(name, value);
    }
    String v = value.trim();
    boolean ok =
        switch (setting) {
          case ENV -> ENV_NAME.matcher(name.substring(ENV.key.length())).matches();
          case RUN_TIMEOUT -> {
            try {
              v = parseDuration(v).toString();
              yield true;
            } catch (IllegalArgumentException e) {
              yield false;
            }
          }
          case MEMORY, MEMORY_REQUEST, MEMORY_LIMIT -> isMemory(v);
          case CPUS, CPU_REQUEST, CPU_LIMIT -> isCpu(v);
          case PRIVILEGED, HOST_NETWORK -> v.equals("true") || v.equals("false");
          case HOST_PATHS -> isHostPaths(v);
          case CAP_ADD -> isCapabilities(v);
          case SERVICE_ACCOUNT -> K8S_NAME.matcher(v).matches();
          case IMAGE_PULL_POLICY -> {
            try {
              v = ImagePullPolicy.parse(v).kubernetesName();
              yield true;
            } catch (IllegalArgumentException e) {
              yield false;
            }
          }
          case JOB_TEMPLATE -> true; // parsed by the Kubernetes launcher, which knows YAML
        };
    if (!ok) {
      throw setting.refuse(name, value);
    }
    return setting == ENV || setting == JOB_TEMPLATE ? value : v;
  }

  private IllegalArgumentException refuse(String name, String value) {
    if (this == ENV && !ENV_NAME.matcher(name.substring(ENV.key.length())).matches()) {
      return new IllegalArgumentException(
          "run setting env '"
              + name.substring(ENV.key.length())
              + "' is not "
              + expected
              + " (letters, digits and _)");
    }
    return new IllegalArgumentException(
        "run setting " + name + " '" + value + "' is not " + expected);
  }

  /** A duration: ISO-8601 ({@code PT30M}) or a whole number with s, m or h ({@code 90s}). */
  public static Duration parseDuration(String value) {
    String v = value.trim();
    Duration d;
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        d = Duration.parse(v);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + value + "' is not a duration");
      }
    } else if (v.matches("[0-9]{1,9}[smh]")) {
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      d =
          switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else {
      throw new IllegalArgumentException("'" + value + "' is not a duration");
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("'" + value + "' is not a positive duration");
    }
    return d;
  }

  static boolean isMemory(String v) {
    try {
      return memoryBytes(v) > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A memory size in bytes. Docker's lower-case units ({@code 512m}, {@code 2g}) and Kubernetes'
   * binary units ({@code 2Gi}) count in 1024s; Kubernetes' decimal units ({@code 2G}) in 1000s.
   */
  public static long memoryBytes(String value) {
    var m = MEMORY_SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + value + "' is not a memory size");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    double factor =
        switch (unit) {
          case "k", "Ki" -> 1024d;
          case "m", "Mi" -> 1024d * 1024;
          case "g", "Gi" -> 1024d * 1024 * 1024;
          case "t", "Ti" -> 1024d * 1024 * 1024 * 1024;
          case "K" -> 1e3;
          case "M" -> 1e6;
          case "G" -> 1e9;
          case "T" -> 1e12;
          default -> 1d;
        };
    double bytes = n * factor;
    if (bytes >= Long.MAX_VALUE) {
      throw new IllegalArgumentException("'" + value + "' is too large");
    }
    return (long) bytes;
  }

  static boolean isCpu(String v) {
    try {
      return cpuMillis(v) > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** CPUs in thousandths: {@code 1.5} and {@code 1500m} are 1500. */
  public static long cpuMillis(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("m")) {
        return Long.parseLong(v.substring(0, v.length() - 1));
      }
      if (!v.matches("[0-9]+(\\.[0-9]{1,3})?")) {
        throw new NumberFormatException(v);
      }
      return Math.round(Double.parseDouble(v) * 1000);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a CPU quantity");
    }
  }

  private static boolean isHostPaths(String v) {
    for (String mount : v.split(",")) {
      String[] parts = mount.split(":");
      if (parts.length < 2 || parts.length > 3 || !parts[0].startsWith("/")) {
        return false;
      }
      if (!parts[1].startsWith("/")) {
        return false;
      }
    }
    return true;
  }

  private static boolean isCapabilities(String v) {
    for (String cap : v.split(",")) {
      if (!CAPABILITY.matcher(cap.trim()).matches()) {
        return false;
      }
    }
    return true;
  }
}
