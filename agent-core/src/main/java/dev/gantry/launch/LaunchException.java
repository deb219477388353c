package dev.gantry.launch;

import dev.gantry.domain.RunState;

/**
 * Infrastructure for a run could not be created. The message names the run and the image, secret or
 * resource at fault; {@link #outcome()} says how the run ends: Failed for problems of the flow's
 * own making (unknown image, missing secret), Crashed for the platform's.
 */
public final class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RunState outcome;
  private final String reasonCode;

  public LaunchException(String message, RunState outcome, String reasonCode, Throwable cause) {
    super(message, cause);
    if (!outcome.isTerminal()) {
      throw new IllegalArgumentException("a launch failure ends the run: " + outcome);
    }
    this.outcome = outcome;
    this.reasonCode = reasonCode;
  }

  public RunState outcome() {
    return outcome;
  }

  /** A short machine-readable reason such as {@code ImagePullFailed} or {@code SecretMissing}. */
  public String reasonCode() {
    return reasonCode;
  }
}
