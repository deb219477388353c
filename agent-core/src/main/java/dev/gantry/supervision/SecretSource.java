package dev.gantry.supervision;

import java.util.Map;
import java.util.Set;

/** Resolves the values of named secrets at launch. */
@FunctionalInterface
public interface SecretSource {

  /**
   * Returns a value for every name.
   *
   * @throws MissingSecretException naming the first secret that has no value
   * @throws UnreadableSecretException naming a secret that exists but cannot be read (for example
   *     encrypted with another key)
   */
  Map<String, String> resolve(Set<String> names) throws MissingSecretException;

  /** A source with no secrets at all: any flow that names one fails at launch. */
  SecretSource NONE =
      names -> {
        if (!names.isEmpty()) {
          throw new MissingSecretException(names.iterator().next());
        }
        return Map.of();
      };

  /** A secret a run needs has no value. */
  final class MissingSecretException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String secretName;

    public MissingSecretException(String secretName) {
      super(
          "secret '"
              + secretName
              + "' is not set; create it with `gantry secret set "
              + secretName
              + " --value ...` (or --from-file/--from-env)");
      this.secretName = secretName;
    }

    public String secretName() {
      return secretName;
    }
  }

  /** A secret a run needs exists but cannot be read; the message says why, never a value. */
  final class UnreadableSecretException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String secretName;

    public UnreadableSecretException(String secretName, String message) {
      super(message);
      this.secretName = secretName;
    }

    public String secretName() {
      return secretName;
    }
  }
}
