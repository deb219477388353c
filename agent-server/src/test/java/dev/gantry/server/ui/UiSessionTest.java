package dev.gantry.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's sign-in over real HTTP: the cookie it sets, what it allows and what it refuses. */
class UiSessionTest {
  @TempDir Path home;
  private DatabaseGantryClient gantry;
  private GantryServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private String admin;

  @BeforeEach
  void start() {
    gantry = GantryClient.open(new GantryHome(home), null);
    server =
        GantryServer.start(
            gantry,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    admin =
        new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
            .create("ui-admin", Role.ADMIN, Duration.ofHours(1))
            .value();
  }

  @AfterEach
  void stop() {
    server.close();
    gantry.close();
  }

  @Test
  void theUiPageIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> page = send(request("/ui/").GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\">");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
    assertThat(send(request("/ui").GET()).headers().firstValue("Location")).hasValue("ui/");
    assertThat(send(request("/ui/js/app.js").GET()).statusCode()).isEqualTo(200);
  }

  @Test
  void aOneTimeLinkSignsInOnce() throws Exception {
    String link = server.signInLink(admin);
    assertThat(link).startsWith("ui/#/?code=").doesNotContain(admin);
    String body = "{\"code\": \"" + link.substring(link.indexOf('=') + 1) + "\"}";
    HttpResponse<String> first = signIn(body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly");
    HttpResponse<String> again = signIn(body);
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.body()).contains("the sign-in link is unknown, used or expired");
  }

  @Test
  void aBadTokenGetsNoCookie() throws Exception {
    HttpResponse<String> refused = signIn("{\"token\": \"gantry_nope\"}");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(signIn("{\"tok\": 1}").statusCode()).isEqualTo(400);
    assertThat(signIn("not json").statusCode()).isEqualTo(400);
  }

  @Test
  void guessingTokensAtTheSignInIsLimitedLikeTheApi() throws Exception {
    int status = 0;
    for (int i = 0; i < 30 && status != 429; i++) {
      status = signIn("{\"token\": \"gantry_guess" + i + "\"}").statusCode();
    }
    assertThat(status).isEqualTo(429);
    assertThat(signIn("{\"token\": \"" + admin + "\"}").statusCode())
        .as("a good token from the same address waits too")
        .isEqualTo(429);
  }

  @Test
  void theCookieReadsAndChangesOnlyWithTheUiHeader() throws Exception {
    HttpResponse<String> signedIn = signIn("{\"token\": \"" + admin + "\"}");
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.body()).contains("\"role\":\"admin\"").doesNotContain(admin);
    String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/");
    String session = cookie.substring(0, cookie.indexOf(';'));

    assertThat(send(request("/api/v1/secrets").header("Cookie", session).GET()).statusCode())
        .isEqualTo(200);
    HttpRequest.BodyPublisher value =
        HttpRequest.BodyPublishers.ofString("{\"value\": \"s3cr3t\"}");
    HttpResponse<String> forged =
        send(
            request("/api/v1/secrets/FORGED")
                .header("Cookie", session)
                .header("Content-Type", "application/json")
                .PUT(value));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("X-Gantry-UI");
    assertThat(gantry.secrets()).isEmpty();
    assertThat(gantry.backend().audit().list(Long.MAX_VALUE, 10))
        .anySatisfy(
            event -> {
              assertThat(event.action()).isEqualTo("secret.set");
              assertThat(event.outcome()).isEqualTo("403");
              assertThat(event.tokenName()).isEqualTo("ui-admin");
            });

    HttpResponse<String> fromUi =
        send(
            request("/api/v1/secrets/FROM_UI")
                .header("Cookie", session)
                .header("X-Gantry-UI", "1")
                .header("Content-Type", "application/json")
                .PUT(value));
    assertThat(fromUi.statusCode()).as(fromUi.body()).isBetween(200, 204);
    assertThat(gantry.secrets()).extracting(s -> s.name()).containsExactly("FROM_UI");

    HttpResponse<String> out = send(request("/ui/session").header("X-Gantry-UI", "1").DELETE());
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
  }

  @Test
  void behindAProxyTheCookieIsScopedToItsBasePath() throws Exception {
    HttpResponse<String> proxied =
        send(
            request("/ui/session")
                .header("Content-Type", "application/json")
                .header("X-Forwarded-Prefix", "/gantry")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + admin + "\"}")));
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("; Path=/gantry/;");
    HttpResponse<String> out =
        send(
            request("/ui/session")
                .header("X-Gantry-UI", "1")
                .header("X-Forwarded-Prefix", "/gantry/")
                .DELETE());
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("; Path=/gantry/;", "Max-Age=0");
  }

  @Test
  void aPrefixThatIsNotAPathIsRefusedWithoutACookie() throws Exception {
    for (String bad : new String[] {"gantry", "/a; Domain=evil.example", "/a/../b", "/b?x", "//"}) {
      HttpResponse<String> refused =
          send(
              request("/ui/session")
                  .header("Content-Type", "application/json")
                  .header("X-Forwarded-Prefix", bad)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + admin + "\"}")));
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.body())
          .contains("header X-Forwarded-Prefix must be the proxy's base path");
      assertThat(refused.headers().firstValue("Set-Cookie")).as(bad).isEmpty();
    }
  }

  private HttpResponse<String> signIn(String body) throws Exception {
    return send(
        request("/ui/session")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
