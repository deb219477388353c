package dev.gantry.secrets;

/**
 * A stored secret cannot be decrypted: the key of this process is not the one it was set with, or
 * its row was altered. The message names the secret and the key's source, never a value.
 */
public final class SecretUnreadableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String secretName;

  public SecretUnreadableException(String secretName, String message) {
    super(message);
    this.secretName = secretName;
  }

  public String secretName() {
    return secretName;
  }
}
