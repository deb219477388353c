package dev.gantry.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications per client address in fixed one-minute windows: once an address
 * reaches the limit within its window, every request from it is refused until the window ends,
 * valid token or not, so guessing tokens costs a minute per few tries. Memory stays bounded: ended
 * windows are dropped as new addresses arrive.
 */
public final class FailedAuthentications {
  /** The default limit: generous for a misconfigured client, tiny for a token guesser. */
  public static final int DEFAULT_PER_MINUTE = 20;

  static final Duration WINDOW = Duration.ofMinutes(1);

  /** Above this many tracked addresses, ended windows are swept before adding another. */
  private static final int SWEEP_ABOVE = 10_000;

  private final int limit;
  private final Clock clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private record Window(Instant start, int failures) {}

  public FailedAuthentications(int limit, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException(
          "the failed-authentication limit must be at least 1 a minute, not " + limit);
    }
    this.limit = limit;
    this.clock = clock;
  }

  /** How long the address must wait before it may try again; empty when it may try now. */
  public Optional<Duration> blockedFor(String address) {
    Window window = windows.get(address);
    if (window == null || window.failures() < limit) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), window.start().plus(WINDOW));
    return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
  }

  /** Counts one failure of the address. */
  public void failed(String address) {
    Instant now = clock.instant();
    if (windows.size() > SWEEP_ABOVE) {
      windows.values().removeIf(w -> !now.isBefore(w.start().plus(WINDOW)));
    }
    windows.compute(
        address,
        (key, w) ->
            w == null || !now.isBefore(w.start().plus(WINDOW))
                ? new Window(now, 1)
                : new Window(w.start(), w.failures() + 1));
  }
}
