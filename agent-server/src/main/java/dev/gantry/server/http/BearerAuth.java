package dev.gantry.server.http;

import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.FailedAuthentications;
import dev.gantry.server.auth.Principal;
import dev.gantry.server.auth.Role;
import dev.gantry.server.ui.UiRoutes;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer TOKEN} before every route that names a role: 401 without a
 * token or with one that is unknown, expired or revoked; 403 when the token's role is below the
 * route's. The token's value is never logged or echoed.
 */
public final class BearerAuth {
  private static final String PRINCIPAL = "gantry.principal";
  private static final String SCHEME = "Bearer ";

  private final ApiTokens tokens;
  private final FailedAuthentications failures;

  public BearerAuth(ApiTokens tokens, FailedAuthentications failures) {
    this.tokens = tokens;
    this.failures = failures;
  }

  /** The principal of an authenticated request. */
  public static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    if (principal == null) {
      throw new IllegalStateException(ctx.path() + " was served without authentication");
    }
    return principal;
  }

  void check(Context ctx) {
    Role required = required(ctx);
    if (required == null) {
      return; // health, documents: open
    }
    Principal principal = authenticate(ctx, presentedToken(ctx));
    ctx.attribute(PRINCIPAL, principal); // known even when refused: the audit names it
    if (fromSession(ctx) && isChange(ctx) && ctx.header(UiRoutes.CHANGE_HEADER) == null) {
      throw new ApiException(
          403,
          "Forbidden",
          "a change made with the UI's session needs the "
              + UiRoutes.CHANGE_HEADER
              + " header; other clients send Authorization: Bearer TOKEN");
    }
    if (!principal.role().includes(required)) {
      throw new ApiException(
          403,
          "Forbidden",
          "token '"
              + principal.tokenName()
              + "' has role "
              + principal.role().key()
              + "; "
              + ctx.method()
              + " "
              + routePath(ctx)
              + " needs "
              + required.key());
    }
  }

  /**
   * The principal of a token the caller presented (null: none), counting each failure against the
   * caller's address: 401 for a missing or unknown token, 429 once the address has failed too
   * often. The web UI's sign-in goes through here too, so it cannot be used to guess tokens faster.
   */
  public Principal authenticate(Context ctx, String value) {
    String address = ctx.ip();
    Optional<Duration> wait = failures.blockedFor(address);
    if (wait.isPresent()) {
      throw new TooManyFailures(wait.get());
    }
    if (value == null) {
      failures.failed(address);
      throw unauthorized("this route needs a token: send Authorization: Bearer TOKEN");
    }
    Optional<Principal> principal = value.isEmpty() ? Optional.empty() : tokens.authenticate(value);
    if (principal.isEmpty()) {
      failures.failed(address);
      throw unauthorized(
          "the token is unknown, expired or revoked; create one with `gantry token create`");
    }
    return principal.get();
  }

  /**
   * The token in {@code Authorization: Bearer}, or else in the web UI's session cookie (a change
   * made with the cookie must also carry the UI's header, which a cross-site request cannot set);
   * null when there is neither.
   */
  private static String presentedToken(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return header.substring(SCHEME.length()).trim();
    }
    String session = header == null ? ctx.cookie(UiRoutes.SESSION_COOKIE) : null;
    return session == null || session.isEmpty() ? null : session;
  }

  private static boolean fromSession(Context ctx) {
    return ctx.header("Authorization") == null;
  }

  private static boolean isChange(Context ctx) {
    return !HandlerType.GET.equals(ctx.method()) && !HandlerType.HEAD.equals(ctx.method());
  }

  /** The matched route's path pattern, e.g. {@code /api/v1/runs/{id}} (not the filter's). */
  static String routePath(Context ctx) {
    io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    return matched == null ? ctx.path() : matched.path;
  }

  private static Role required(Context ctx) {
    for (RouteRole role : ctx.routeRoles()) {
      if (role instanceof Role gantryRole) {
        return gantryRole;
      }
    }
    return null;
  }

  private static ApiException unauthorized(String detail) {
    return new Unauthorized(detail);
  }

  /**
   * A 429 for an address over its failed-authentication limit; the problem writer adds {@code
   * Retry-After}.
   */
  static final class TooManyFailures extends ApiException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    TooManyFailures(Duration wait) {
      super(
          429,
          "Too Many Requests",
          "too many failed authentications from this address; try again in "
              + seconds(wait)
              + " s with a valid token");
      this.retryAfterSeconds = seconds(wait);
    }

    private static long seconds(Duration wait) {
      return Math.max(1, (wait.toMillis() + 999) / 1000); // rounded up: never "try again in 0 s"
    }

    long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** A 401; the problem writer adds {@code WWW-Authenticate}. */
  static final class Unauthorized extends ApiException {
    private static final long serialVersionUID = 1L;

    Unauthorized(String detail) {
      super(401, "Unauthorized", detail);
    }
  }
}
