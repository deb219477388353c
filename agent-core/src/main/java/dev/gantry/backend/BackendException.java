package dev.gantry.backend;

/**
 * A backend operation failed: the database could not be reached or refused the statement. The
 * message names the operation and the run, flow or agent it was about, followed by the database's
 * reason.
 */
public class BackendException extends RuntimeException {

  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
