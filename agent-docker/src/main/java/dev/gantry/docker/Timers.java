package dev.gantry.docker;

import java.time.Duration;

/**
 * Where the Docker launcher's short tasks run: engine calls on a small shared pool, delayed checks
 * on one timer. A port so that a supervisor can be driven step by step in tests.
 */
interface Timers {
  /** Runs {@code task} soon on the pool; a failure is logged, not thrown. */
  void now(Runnable task);

  /** Runs {@code task} on the timer after {@code delay}; a failure is logged, not thrown. */
  void after(Duration delay, Runnable task);
}
