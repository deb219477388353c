package dev.gantry.cli;

import java.io.PrintWriter;

/**
 * A status line at the bottom of a terminal, redrawn in place with a carriage return, under the
 * lines printed above it: each {@link #println} first blanks the status, which the next {@link
 * #draw} puts back. No escape sequences, so it needs nothing of the terminal but {@code \r}.
 */
final class StatusLine {
  private final PrintWriter out;
  private final int width;
  private int drawn;

  /**
   * @param width the terminal's columns; the status is cut to one less, so it never wraps
   */
  StatusLine(PrintWriter out, int width) {
    this.out = out;
    this.width = Math.max(20, width);
  }

  /**
   * Whether this process writes to a terminal that can redraw a line: {@link System#console()} is
   * there only when standard input and output are both a terminal; {@code TERM=dumb} and {@code
   * GANTRY_PROGRESS=off} turn it off.
   */
  static boolean available() {
    return System.console() != null
        && !"dumb".equals(System.getenv("TERM"))
        && !"off".equalsIgnoreCase(System.getenv("GANTRY_PROGRESS"));
  }

  /** A status line on {@code out} when {@link #available()}, else null. */
  static StatusLine onTerminal(PrintWriter out) {
    return available() ? new StatusLine(out, terminalWidth()) : null;
  }

  /** The terminal's width from {@code COLUMNS}, else 80. */
  static int terminalWidth() {
    try {
      String columns = System.getenv("COLUMNS");
      return columns == null ? 80 : Integer.parseInt(columns.trim());
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /** Prints a line above the status. */
  void println(String text) {
    clear();
    out.println(text);
  }

  /** Replaces the status with {@code status}. */
  void draw(String status) {
    String shown = status.length() >= width ? status.substring(0, width - 2) + "…" : status;
    out.print("\r" + shown + " ".repeat(Math.max(0, drawn - shown.length())));
    drawn = shown.length();
    out.flush();
  }

  /** Blanks the status, leaving the cursor at the start of its line. */
  void clear() {
    if (drawn > 0) {
      out.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }
}
