package dev.gantry.flow;

/** A flow could not be built or loaded; the message names the class, method or entry at fault. */
public final class FlowLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FlowLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
