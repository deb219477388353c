package dev.gantry.cli;

import java.util.Locale;
import java.util.Map;

/**
 * How the agent, server and CLI write their log lines: {@code text} (readable lines, the default)
 * or {@code json} (one JSON object per line). Chosen with {@code --log-format} or {@code
 * GANTRY_LOG_FORMAT} before the first logger exists, because Logback reads its configuration once.
 */
enum LogFormat {
  text("logback.xml"),
  json("logback-json.xml");

  static final String OPTION = "--log-format";
  static final String VARIABLE = "GANTRY_LOG_FORMAT";

  private final String configuration;

  LogFormat(String configuration) {
    this.configuration = configuration;
  }

  /** The Logback configuration file on the class path. */
  String configuration() {
    return configuration;
  }

  /**
   * The format {@code args} ask for, else the variable's, else text. A value the option does not
   * know is left for picocli to reject with its own message.
   *
   * @throws IllegalArgumentException when the variable has a value that is not a format
   */
  static LogFormat select(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      String value = null;
      if (args[i].equals(OPTION) && i + 1 < args.length) {
        value = args[i + 1];
      } else if (args[i].startsWith(OPTION + "=")) {
        value = args[i].substring(OPTION.length() + 1);
      }
      if (value != null) {
        for (LogFormat format : values()) {
          if (format.name().equals(value)) {
            return format;
          }
        }
        return text;
      }
    }
    String variable = env.get(VARIABLE);
    if (variable == null || variable.isBlank()) {
      return text;
    }
    try {
      return valueOf(variable.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          VARIABLE + " is '" + variable + "'; set it to text or json, or unset it");
    }
  }
}
