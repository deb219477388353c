package dev.gantry.agent;

import java.util.Collection;

/**
 * The old home of {@link dev.gantry.supervision.Redactor}, kept so callers outside the agent
 * compile while they move to the new package.
 *
 * @deprecated use {@link dev.gantry.supervision.Redactor}
 */
@Deprecated
public final class Redactor {
  public static final String MASK = dev.gantry.supervision.Redactor.MASK;

  private final dev.gantry.supervision.Redactor redactor;

  public Redactor(Collection<String> secretValues) {
    this.redactor = new dev.gantry.supervision.Redactor(secretValues);
  }

  public String redact(String text) {
    return redactor.redact(text);
  }
}
