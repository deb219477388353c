package dev.gantry.secrets;

/** The key that encrypts secrets is malformed, missing or too open; the message says which. */
public final class MasterKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MasterKeyException(String message) {
    super(message);
  }

  public MasterKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
