package dev.gantry.server;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size as an operator writes it on the command line: a whole number of bytes with an optional
 * binary unit, {@code k}, {@code m} or {@code g} (also {@code kb}, {@code mib}, ...), e.g. {@code
 * 256m} for 256 MiB.
 */
public final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?");

  private ByteSize() {}

  /**
   * @param option the option the text came from, named in the error
   * @throws IllegalArgumentException a one-line message naming the option, when the text is not a
   *     positive size
   */
  public static long parse(String option, String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option
              + " '"
              + text
              + "' is not a size; give bytes with an optional k, m or g, e.g. 256m");
    }
    int shift =
        switch (m.group(2)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          default -> 0;
        };
    try {
      long value = Long.parseLong(m.group(1));
      if (value == 0) {
        throw new IllegalArgumentException(option + " must be more than 0 bytes");
      }
      if (value <= (Long.MAX_VALUE >> shift)) {
        return value << shift;
      }
    } catch (NumberFormatException e) {
      // more digits than a long holds: too large, as below
    }
    throw new IllegalArgumentException(option + " '" + text + "' is too large");
  }
}
