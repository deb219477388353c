package dev.gantry.supervision;

/** How the agent's tasks describe a failure in one log line. */
public final class Failures {
  private Failures() {}

  /** The failure's message on one line, or its class name when it has none. */
  public static String oneLine(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ');
  }
}
