package dev.gantry.backend;

/**
 * Why the database woke a subscriber: a hint to look now instead of at the next poll. Signals may
 * be lost (a subscriber reconnecting misses those sent meanwhile) or repeated; subscribers still
 * poll, so a missed signal only delays.
 */
public enum RunSignal {
  /** A run became due: created, or scheduled again. */
  DUE,
  /** A cancel was requested for a Submitted or Running run. */
  CANCEL
}
