package dev.gantry.flow;

/** A parameter value that is missing, unknown or does not parse; the message names it. */
public final class ParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ParameterException(String message) {
    super(message);
  }

  public ParameterException(String message, Throwable cause) {
    super(message, cause);
  }
}
