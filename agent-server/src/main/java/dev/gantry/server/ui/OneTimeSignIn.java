package dev.gantry.server.ui;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time sign-in codes for the link a server on loopback prints at start, as notebook servers do:
 * the code stands for a token held only in this process's memory, works once, and only for a few
 * minutes. The token itself never appears in the link, the terminal or a log.
 */
public final class OneTimeSignIn {
  /** How long a printed link works. */
  public static final Duration VALID_FOR = Duration.ofMinutes(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  private record Held(String token, Instant until) {}

  private final Map<String, Held> codes = new ConcurrentHashMap<>();
  private final Clock clock;

  public OneTimeSignIn(Clock clock) {
    this.clock = clock;
  }

  /** A new code that signs in once as {@code token}, for {@link #VALID_FOR}. */
  public String issue(String token) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    codes.put(code, new Held(token, clock.instant().plus(VALID_FOR)));
    return code;
  }

  /** The token the code stands for, once; empty when unknown, used or expired. */
  public Optional<String> redeem(String code) {
    Held held = code == null ? null : codes.remove(code);
    if (held == null || !clock.instant().isBefore(held.until())) {
      return Optional.empty();
    }
    return Optional.of(held.token());
  }
}
