package dev.gantry.registration;

/** A flow cannot be registered; the message names the jar, factory, class or storage at fault. */
public final class RegistrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
