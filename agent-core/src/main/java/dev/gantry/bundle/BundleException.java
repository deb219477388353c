package dev.gantry.bundle;

/**
 * A bundle cannot be written, verified or loaded. The message is one line that names the flow, the
 * bundle location, entry or class at fault and what to do.
 */
public class BundleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
