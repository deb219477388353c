package dev.gantry.catalog;

import java.util.Objects;

/**
 * How the runs of a flow version are dispatched.
 *
 * @param infrastructureRetries how often a run may be scheduled again after its infrastructure
 *     failed (killed, OOM, vanished, agent lost): the budget of Crashed outcomes, separate from
 *     task retries; a Failed run never uses it
 * @param concurrencyLimit the most runs of the flow's name active at once (Submitted, Running or
 *     Cancelling), or null for no limit; the newest registration of a name sets it for the name
 * @param whenLimited what happens to a due run while the flow is at its limit
 */
public record RunPolicy(
    int infrastructureRetries, Integer concurrencyLimit, WhenLimited whenLimited) {

  /** No infrastructure retries, no concurrency limit. */
  public static final RunPolicy DEFAULT = new RunPolicy(0, null, WhenLimited.wait);

  public RunPolicy {
    if (infrastructureRetries < 0) {
      throw new IllegalArgumentException("--infrastructure-retries must be 0 or more");
    }
    if (concurrencyLimit != null && concurrencyLimit < 1) {
      throw new IllegalArgumentException("--concurrency-limit must be at least 1");
    }
    Objects.requireNonNull(whenLimited, "whenLimited");
  }

  public RunPolicy withInfrastructureRetries(int value) {
    return new RunPolicy(value, concurrencyLimit, whenLimited);
  }

  public RunPolicy withConcurrencyLimit(Integer limit, WhenLimited when) {
    return new RunPolicy(infrastructureRetries, limit, when);
  }
}
