package dev.gantry.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one wait-before-retrying policy of Gantry: exponential, capped, jittered, and reset by a
 * success. Every loop that retries something (polling the backend, reconnecting an event stream,
 * recording a run's end) holds one of these instead of its own arithmetic.
 *
 * <p>After {@code n} consecutive failures the nominal delay is {@code first * 2^(n-1)}, capped at
 * {@code max}; the delay returned is that value scaled by a random factor in {@code [1 - jitter,
 * 1]} so several agents that failed at the same moment do not retry in step. Not thread-safe: one
 * instance per retrying loop.
 */
public final class Backoff {
  private final Duration first;
  private final Duration max;
  private final double jitter;
  private final DoubleSupplier random;
  private int failures;

  private Backoff(Duration first, Duration max, double jitter, DoubleSupplier random) {
    if (first.isNegative() || first.isZero()) {
      throw new IllegalArgumentException("the first backoff must be positive, not " + first);
    }
    if (max.compareTo(first) < 0) {
      throw new IllegalArgumentException(
          "the longest backoff (" + max + ") is shorter than the first (" + first + ")");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1), not " + jitter);
    }
    this.first = first;
    this.max = max;
    this.jitter = jitter;
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * A backoff from {@code first} doubling up to {@code max}, with up to 50% jitter (a delay lands
   * in [d/2, d]).
   */
  public static Backoff exponential(Duration first, Duration max) {
    return new Backoff(first, max, 0.5, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The same policy with another jitter fraction (0 for none). */
  public Backoff withJitter(double fraction) {
    return new Backoff(first, max, fraction, random);
  }

  /** The same policy drawing its jitter from {@code random} (values in [0, 1)); for tests. */
  public Backoff withRandom(DoubleSupplier random) {
    return new Backoff(first, max, jitter, random);
  }

  /** Records a failure and returns how long to wait before the next try. */
  public Duration nextDelay() {
    failures = failures == Integer.MAX_VALUE ? failures : failures + 1;
    return jittered(nominal(failures));
  }

  /** Records a success: the next failure waits {@code first} again. */
  public void reset() {
    failures = 0;
  }

  /** Consecutive failures since the last success. */
  public int failures() {
    return failures;
  }

  /** The delay after {@code failures} consecutive failures, before jitter. */
  Duration nominal(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - 1, 62);
    long millis = first.toMillis();
    long cap = max.toMillis();
    for (int i = 0; i < doublings && millis < cap; i++) {
      millis = millis * 2;
    }
    return Duration.ofMillis(Math.min(millis, cap));
  }

  private Duration jittered(Duration nominal) {
    double factor = 1 - jitter * random.getAsDouble();
    return Duration.ofMillis(Math.max(1, Math.round(nominal.toMillis() * factor)));
  }
}
