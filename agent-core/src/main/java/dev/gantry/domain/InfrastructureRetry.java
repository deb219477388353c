package dev.gantry.domain;

/**
 * A crashed run was scheduled again from its flow version's infrastructure-retry budget.
 *
 * @param number which retry this is, from 1
 * @param budget the flow version's infrastructure retries
 */
public record InfrastructureRetry(int number, int budget) {

  /** {@code infrastructure retry 1 of 2}. */
  public String describe() {
    return "infrastructure retry " + number + " of " + budget;
  }
}
