package dev.gantry.server.client;

/**
 * A call to {@code gantry server} that failed for a reason outside the request itself: the server
 * cannot be reached, refused the token, or failed. The message is one line naming the URL (never
 * the token) and what to do.
 */
public final class GantryApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public GantryApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public GantryApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** The HTTP status, or 0 when no answer came. */
  public int status() {
    return status;
  }
}
