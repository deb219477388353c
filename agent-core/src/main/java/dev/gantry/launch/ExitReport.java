package dev.gantry.launch;

/**
 * How a run's infrastructure ended.
 *
 * @param exitCode the bootstrap's exit code, or -1 when there is none (vanished infrastructure)
 * @param reason the platform's reason when it ended the run itself (OOMKilled, Evicted, removed
 *     from outside...), else null
 * @param flowFault true when the run's own description caused it (an image that does not exist or
 *     cannot be pulled): the run ends Failed rather than Crashed
 * @param timedOut the agent stopped it because it ran past its run timeout ({@code reason} says how
 *     long that was): the run ends Failed, saying it timed out
 */
public record ExitReport(int exitCode, String reason, boolean flowFault, boolean timedOut) {

  public ExitReport(int exitCode, String reason, boolean flowFault) {
    this(exitCode, reason, flowFault, false);
  }

  public ExitReport(int exitCode, String reason) {
    this(exitCode, reason, false);
  }

  /** This exit, of a run the agent stopped after its run timeout of {@code timeout}. */
  public ExitReport timedOutAfter(java.time.Duration timeout) {
    String why = "timed out after its run timeout of " + RunDeadlines.describe(timeout);
    return new ExitReport(exitCode, reason == null ? why : why + ", " + reason, flowFault, true);
  }

  /** The infrastructure never ran the bootstrap because of the run's own description. */
  public static ExitReport flowFault(String reason) {
    return new ExitReport(-1, reason, true);
  }

  public static ExitReport exited(int exitCode) {
    return new ExitReport(exitCode, null);
  }

  /** A readable description: "exit code 137 (killed by SIGKILL)". */
  public String describe() {
    StringBuilder out = new StringBuilder();
    if (exitCode >= 0) {
      out.append("exit code ").append(exitCode);
      if (exitCode > 128 && exitCode < 160) {
        out.append(" (killed by signal ").append(signalName(exitCode - 128)).append(')');
      }
    }
    if (reason != null) {
      out.append(out.length() > 0 ? ", " : "").append(reason);
    }
    return out.length() == 0 ? "ended without an exit code" : out.toString();
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> "SIGKILL";
      case 15 -> "SIGTERM";
      case 6 -> "SIGABRT";
      case 11 -> "SIGSEGV";
      case 2 -> "SIGINT";
      default -> Integer.toString(signal);
    };
  }
}
