package dev.gantry.flow;

import java.util.regex.Pattern;

/** Validation of the names users give flows, tasks, parameters, labels and secrets. */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Names() {}

  /**
   * Returns the name when it is valid.
   *
   * @param what what the name is for, e.g. "label", named in the error
   * @throws IllegalArgumentException naming the name and the rule when it is not
   */
  public static String check(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid "
              + what
              + " name '"
              + name
              + "': use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    return name;
  }
}
