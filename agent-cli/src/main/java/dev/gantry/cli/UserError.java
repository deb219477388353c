package dev.gantry.cli;

/** A problem with what the user asked; printed as one line without a stack trace. */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message);
  }
}
