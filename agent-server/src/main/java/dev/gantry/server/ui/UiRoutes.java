package dev.gantry.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Principal;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.BearerAuth;
import dev.gantry.server.json.Dtos;
import dev.gantry.server.json.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web UI at {@code /ui}: static files from the jar (no build step, no external resources) and
 * the sign-in that turns an API token into an HttpOnly session cookie, so the page's scripts never
 * hold the token and the browser's own EventSource can follow live events. The UI calls the same
 * {@code /api/v1} routes with the same roles; every URL it uses is relative, so it works under a
 * reverse proxy's base path.
 */
public final class UiRoutes {
  public static final String UI = "/ui";

  /**
   * The cookie carrying the signed-in token; {@link #CHANGE_HEADER} guards changes made with it.
   */
  public static final String SESSION_COOKIE = "gantry_session";

  /**
   * Sent by the UI's scripts on every change: a cross-site form or image cannot set a header, so a
   * change that arrives with the cookie but without it did not come from the UI.
   */
  public static final String CHANGE_HEADER = "X-Gantry-UI";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'none'";

  /**
   * The header a reverse proxy sets to the path it serves the server under (nginx: {@code
   * proxy_set_header X-Forwarded-Prefix /gantry;}). The session cookie is then scoped to that path
   * instead of the whole site. A client that sets it itself only scopes its own cookie.
   */
  public static final String PREFIX_HEADER = "X-Forwarded-Prefix";

  /**
   * A base path: segments of URL-safe characters (no {@code .} or {@code ..}), nothing that could
   * end a cookie attribute.
   */
  private static final Pattern PREFIX = Pattern.compile("(/(?!\\.{1,2}(/|$))[A-Za-z0-9._~-]+)+/?");

  private static final int MAX_PREFIX = 200;

  /** On every file of the UI: no inline script or style, no framing, no sniffing, no caching. */
  static final Map<String, String> HEADERS =
      Map.of(
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "X-Content-Type-Options", "nosniff",
          "Referrer-Policy", "no-referrer",
          "Cache-Control", "no-cache");

  private UiRoutes() {}

  public static void install(JavalinConfig config, BearerAuth auth, OneTimeSignIn links) {
    config.staticFiles.add(
        files -> {
          files.hostedPath = UI;
          files.directory = "/ui";
          files.location = Location.CLASSPATH;
          files.headers = HEADERS;
        });
    // Relative redirects keep a proxy's base path.
    config.routes.get("/", ctx -> ctx.redirect("ui/"));
    config.routes.get(UI, UiRoutes::page);
    config.routes.post(UI + "/session", ctx -> signIn(ctx, auth, links));
    config.routes.delete(UI + "/session", UiRoutes::signOut);
  }

  /** {@code /ui/} is the page; {@code /ui} sends the browser there, so relative URLs resolve. */
  private static void page(Context ctx) throws IOException {
    if (!ctx.path().endsWith("/")) {
      ctx.redirect("ui/");
      return;
    }
    try (InputStream page = UiRoutes.class.getResourceAsStream("/ui/index.html")) {
      if (page == null) {
        throw new IllegalStateException("the UI is missing from the jar (/ui/index.html)");
      }
      HEADERS.forEach(ctx::header);
      ctx.contentType("text/html; charset=utf-8").result(page.readAllBytes());
    }
  }

  private static void signIn(Context ctx, BearerAuth auth, OneTimeSignIn links) {
    String path = cookiePath(ctx);
    String token = tokenOf(ctx, links);
    Principal principal;
    try {
      principal = auth.authenticate(ctx, token);
    } catch (ApiException e) {
      if (e.status() == 401 && token.isEmpty()) {
        throw new ApiException(
            401,
            "Unauthorized",
            "the sign-in link is unknown, used or expired (it works once, for "
                + OneTimeSignIn.VALID_FOR.toMinutes()
                + " minutes); sign in with a token from `gantry token create`");
      }
      throw e;
    }
    ctx.header("Set-Cookie", cookie(ctx, path, token, null));
    ctx.json(new Dtos.Identity(principal.tokenName(), principal.role().key()));
  }

  private static void signOut(Context ctx) {
    ctx.header("Set-Cookie", cookie(ctx, cookiePath(ctx), "", 0));
    ctx.status(204);
  }

  /** The body's token, or the token its one-time {@code code} stands for. */
  private static String tokenOf(Context ctx, OneTimeSignIn links) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(ctx.bodyInputStream());
    } catch (IOException e) {
      throw ApiException.badRequest("the sign-in body is not JSON; send {\"token\": \"TOKEN\"}");
    }
    JsonNode code = body == null ? null : body.get("code");
    if (code != null && code.isTextual()) {
      // An unknown, used or expired code is a failed sign-in like a bad token (and counted).
      return links.redeem(code.asText()).orElse("");
    }
    JsonNode token = body == null ? null : body.get("token");
    if (token == null || !token.isTextual() || token.asText().isBlank()) {
      throw ApiException.badRequest("field 'token' of the sign-in body is missing");
    }
    return token.asText().trim();
  }

  /**
   * Where the session cookie applies: the proxy's base path ({@link #PREFIX_HEADER}) with a slash
   * at the end, so the page and the API under it both get it; {@code /} without a proxy.
   */
  static String cookiePath(Context ctx) {
    String prefix = ctx.header(PREFIX_HEADER);
    if (prefix == null || prefix.isBlank() || prefix.equals("/")) {
      return "/";
    }
    if (prefix.length() > MAX_PREFIX || !PREFIX.matcher(prefix).matches()) {
      throw ApiException.badRequest(
          "header "
              + PREFIX_HEADER
              + " must be the proxy's base path, like /gantry (segments of letters, digits and"
              + " - . _ ~, at most "
              + MAX_PREFIX
              + " characters); fix the proxy's proxy_set_header "
              + PREFIX_HEADER);
    }
    return prefix.endsWith("/") ? prefix : prefix + "/";
  }

  private static String cookie(Context ctx, String path, String value, Integer maxAge) {
    StringBuilder cookie =
        new StringBuilder(SESSION_COOKIE)
            .append('=')
            .append(value)
            .append("; Path=")
            .append(path)
            .append("; HttpOnly; SameSite=Strict");
    if (maxAge != null) {
      cookie.append("; Max-Age=").append(maxAge);
    }
    if ("https".equalsIgnoreCase(ctx.scheme())) {
      cookie.append("; Secure");
    }
    return cookie.toString();
  }
}
