package dev.gantry.server.auth;

import dev.gantry.backend.ApiTokenStore;
import dev.gantry.backend.ApiTokenStore.ApiToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Creating, listing, revoking and checking API tokens, for {@code gantry token} and the server. A
 * token's value exists only in the answer to {@link #create}; the store keeps its hash.
 */
public final class ApiTokens {
  /** The longest expiry: far beyond any sensible token, well inside the database's time range. */
  static final Duration MAX_LIFETIME = Duration.ofDays(100 * 365);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** How long a looked-up token is trusted before the store is asked again. */
  public static final Duration VERIFIED_FOR = Duration.ofSeconds(5);

  /** How often a token's last use is written at most. */
  public static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private static final int MAX_VERIFIED = 10_000;

  private final ApiTokenStore store;
  private final Clock clock;
  private final Map<String, Verified> verifiedTokens = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();

  public ApiTokens(ApiTokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A created token: its value (shown once) and what is stored about it. */
  public record Issued(String value, ApiToken token) {
    @Override
    public String toString() {
      return "Issued[" + token + "]"; // never the value
    }
  }

  /**
   * Creates a token.
   *
   * @param expiresIn null for a token that does not expire
   * @throws IllegalArgumentException naming the problem: a bad name, a name in use, a bad expiry
   */
  public Issued create(String name, Role role, Duration expiresIn) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "token name '"
              + name
              + "' is not allowed; use 1-100 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
      throw new IllegalArgumentException(
          "a token's expiry must be in the future, not " + expiresIn);
    }
    if (expiresIn != null && expiresIn.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "a token's expiry can be at most "
              + MAX_LIFETIME.toDays()
              + " days away, not "
              + expiresIn.toDays()
              + " days; give a shorter --expires, or none for a token that does not expire");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String value = TokenValues.generate();
    ApiToken token =
        new ApiToken(
            name,
            TokenValues.hash(value),
            role.key(),
            now,
            expiresIn == null ? null : now.plus(expiresIn),
            null,
            null);
    if (!store.create(token)) {
      throw new IllegalArgumentException(
          "a token named '" + name + "' exists already; revoke it or choose another name");
    }
    return new Issued(value, token);
  }

  public List<ApiToken> list() {
    return store.list();
  }

  /**
   * Revokes a token.
   *
   * @throws UnknownTokenException when no unrevoked token has the name
   */
  public void revoke(String name) {
    if (!store.revoke(name, clock.instant())) {
      throw new UnknownTokenException(name);
    }
    verifiedTokens.values().removeIf(v -> v.token().name().equals(name));
  }

  /**
   * The principal a token value stands for, if it is known, unrevoked and unexpired.
   *
   * <p>A token found in the store is trusted for {@link #VERIFIED_FOR} before the store is asked
   * again, so a call costs no query; a revocation through this server takes effect at once, one
   * made elsewhere (another server, the CLI on the database) within that bound. Expiry is checked
   * on every call. Its use is stamped at most once per {@link #TOUCH_EVERY}.
   */
  public Optional<Principal> authenticate(String value) {
    String hash = TokenValues.hash(value);
    Instant now = clock.instant();
    Verified verified = verifiedTokens.get(hash);
    if (verified == null || !now.isBefore(verified.at().plus(VERIFIED_FOR))) {
      Optional<ApiToken> found = store.findByHash(hash);
      if (found.isEmpty() || !TokenValues.sameHash(found.get().tokenHash(), hash)) {
        verifiedTokens.remove(hash);
        return Optional.empty();
      }
      if (verifiedTokens.size() >= MAX_VERIFIED) {
        verifiedTokens.clear(); // a flood of distinct valid tokens: start over rather than grow
      }
      verified = new Verified(found.get(), now);
      verifiedTokens.put(hash, verified);
    }
    ApiToken token = verified.token();
    if (token.revokedAt() != null
        || (token.expiresAt() != null && !now.isBefore(token.expiresAt()))) {
      return Optional.empty();
    }
    Instant touched = lastTouched.get(token.name());
    if (touched == null || !now.isBefore(touched.plus(TOUCH_EVERY))) {
      lastTouched.put(token.name(), now);
      store.touch(token.name(), now);
    }
    return Optional.of(new Principal(token.name(), Role.parse(token.role())));
  }

  /** A token as the store had it when it was last looked up. */
  private record Verified(ApiToken token, Instant at) {}

  /** No unrevoked token has the name. */
  public static final class UnknownTokenException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownTokenException(String name) {
      super("no active token named '" + name + "'; see `gantry token list`");
    }
  }
}
