package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.ApiTokenStore.ApiToken;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.auth.TokenValues;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.testing.PostgresSchema;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every API route × no token, a bad one, an expired one, a revoked one and each role, on H2 and on
 * PostgreSQL, over real HTTP.
 */
class ApiAccessTest {
  @TempDir Path home;
  private PostgresSchema schema;
  private ServerHarness harness;

  @AfterEach
  void close() {
    if (harness != null) {
      harness.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  private ServerHarness start(String database) {
    String url = null;
    if (database.equals("postgres")) {
      schema = PostgresSchema.create();
      url = schema.url();
    }
    // The matrix makes about a hundred failed authentications from one address in seconds: far
    // over the default limit, which AuthFailureLimitTest covers.
    harness =
        new ServerHarness(
            home,
            url,
            new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES)
                .withAuthFailuresPerMinute(100_000));
    return harness;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void everyRouteRefusesMissingBadExpiredAndRevokedTokensAndRolesBelowItsOwn(String database)
      throws Exception {
    ServerHarness server = start(database);
    ApiTokens tokens = new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC());
    Map<Role, String> byRole = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      byRole.put(role, tokens.create("t-" + role.key(), role, null).value());
    }
    String revoked = tokens.create("t-revoked", Role.ADMIN, null).value();
    tokens.revoke("t-revoked");
    String expired = TokenValues.generate();
    Instant past = Instant.now().minus(Duration.ofDays(2));
    server
        .gantry
        .backend()
        .tokens()
        .create(
            new ApiToken(
                "t-expired",
                TokenValues.hash(expired),
                "admin",
                past,
                past.plusSeconds(60),
                null,
                null));

    List<ApiRoute> routes;
    try (GantryServer.Streams events = GantryServer.Streams.start(server.gantry)) {
      routes =
          GantryServer.apiRoutes(
              server.gantry,
              tokens,
              events,
              new GantryServer.Settings(
                  "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    }
    assertThat(routes).extracting(ApiRoute::role).contains(Role.VIEWER, Role.ADMIN);
    List<String> failures = new ArrayList<>();
    for (ApiRoute route : routes) {
      String path = route.path().replace("{name}", "no-such-name").replace("{id}", "0000dead");
      expect(failures, server, route, path, null, 401);
      expect(failures, server, route, path, "Bearer gantry_not-a-token", 401);
      expect(failures, server, route, path, "Basic dXNlcjpwdw==", 401);
      expect(failures, server, route, path, "Bearer " + expired, 401);
      expect(failures, server, route, path, "Bearer " + revoked, 401);
      for (Role role : Role.values()) {
        int status = call(server, route, path, "Bearer " + byRole.get(role)).statusCode();
        // Roles are ordered viewer < operator < deployer < admin; stated here, not asked of Role.
        boolean allowed = role.ordinal() >= route.role().ordinal();
        if (allowed ? (status == 401 || status == 403) : status != 403) {
          failures.add(route.method() + " " + path + " as " + role.key() + ": " + status);
        }
        // A read of something that does not exist is a 404; every other read answers 200.
        if (allowed && route.method() == ApiRoute.Method.GET && status != 200 && status != 404) {
          failures.add(route.method() + " " + path + " as " + role.key() + ": " + status);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private static void expect(
      List<String> failures,
      ServerHarness server,
      ApiRoute route,
      String path,
      String authorization,
      int expected)
      throws Exception {
    HttpResponse<String> response = call(server, route, path, authorization);
    if (response.statusCode() != expected) {
      failures.add(
          route.method() + " " + path + " with " + authorization + ": " + response.statusCode());
    }
    if (expected == 401
        && !response.headers().firstValue("WWW-Authenticate").orElse("").equals("Bearer")) {
      failures.add(route.method() + " " + path + ": 401 without WWW-Authenticate: Bearer");
    }
  }

  static HttpResponse<String> call(
      ServerHarness server, ApiRoute route, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
    if (path.endsWith("/events")) {
      // A stream answers 200 and stays open: ask for it, and read only its status (below).
      request.header("Accept", "text/event-stream");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{}");
    switch (route.method()) {
      case GET -> request.GET();
      case POST -> request.POST(body).header("Content-Type", "application/json");
      case PUT -> request.PUT(body).header("Content-Type", "application/json");
      case DELETE -> request.DELETE();
    }
    if (path.endsWith("/events")) {
      HttpResponse<java.io.InputStream> stream = server.stream(request);
      stream.body().close();
      return new StatusOnly(stream);
    }
    return server.send(request);
  }

  /** A streamed response's status and headers, its body left unread. */
  private record StatusOnly(HttpResponse<java.io.InputStream> response)
      implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return response.statusCode();
    }

    @Override
    public HttpRequest request() {
      return response.request();
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return response.headers();
    }

    @Override
    public String body() {
      return "";
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return response.sslSession();
    }

    @Override
    public java.net.URI uri() {
      return response.uri();
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return response.version();
    }
  }
}
