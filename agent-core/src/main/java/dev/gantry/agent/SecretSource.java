package dev.gantry.agent;

import java.util.Map;

/**
 * The old home of {@link dev.gantry.supervision.SecretSource}, kept so callers outside the agent
 * compile while they move to the new package (its exceptions are inherited from there).
 *
 * @deprecated use {@link dev.gantry.supervision.SecretSource}
 */
@Deprecated
@FunctionalInterface
public interface SecretSource extends dev.gantry.supervision.SecretSource {

  /** A source with no secrets at all: any flow that names one fails at launch. */
  SecretSource NONE =
      names -> {
        if (!names.isEmpty()) {
          throw new MissingSecretException(names.iterator().next());
        }
        return Map.of();
      };
}
