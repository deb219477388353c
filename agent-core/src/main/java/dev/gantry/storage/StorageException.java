package dev.gantry.storage;

/** A bundle cannot be stored or fetched; the message names the location and the cause. */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
