package dev.gantry.server.auth;

import dev.gantry.backend.ApiTokenStore;
import dev.gantry.backend.ApiTokenStore.ApiToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creating, listing, revoking and checking API tokens, for {@code gantry token} and the server. A
 * token's value exists only in the answer to {@link #create}; the store keeps its hash.
 */
public final class ApiTokens {
  /** The longest expiry: far beyond any sensible token, well inside the database's time range. */
  static final Duration MAX_LIFETIME = Duration.ofDays(100 * 365);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final ApiTokenStore store;
  private final Clock clock;

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
  }

  /**
   * The principal a token value stands for, if it is known, unrevoked and unexpired; its use is
   * recorded.
   */
  public Optional<Principal> authenticate(String value) {
    String hash = TokenValues.hash(value);
    Optional<ApiToken> found = store.findByHash(hash);
    if (found.isEmpty() || !TokenValues.sameHash(found.get().tokenHash(), hash)) {
      return Optional.empty();
    }
    ApiToken token = found.get();
    Instant now = clock.instant();
    if (token.revokedAt() != null
        || (token.expiresAt() != null && !now.isBefore(token.expiresAt()))) {
      return Optional.empty();
    }
    store.touch(token.name(), now);
    return Optional.of(new Principal(token.name(), Role.parse(token.role())));
  }

  /** No unrevoked token has the name. */
  public static final class UnknownTokenException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownTokenException(String name) {
      super("no active token named '" + name + "'; see `gantry token list`");
    }
  }
}
