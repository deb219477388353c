package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.FailedAuthentications;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed authentications are limited per client address: the default 20 a minute, then 429 with
 * Retry-After for the rest of the minute, a valid token included; no token value reaches the log.
 */
class AuthFailureLimitTest {
  @TempDir Path home;

  private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>
      logs = new ch.qos.logback.core.read.ListAppender<>();

  @Test
  void theTwentyFirstFailureInAMinuteIs429WithRetryAfterEvenForAValidToken() throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try (ServerHarness server = new ServerHarness(home, null)) {
      String valid =
          new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC())
              .create("ci", Role.VIEWER, null)
              .value();
      assertThat(call(server, "Bearer " + valid).statusCode()).isEqualTo(200);
      String guess = "gantry_guessed-token-value-that-must-not-be-logged";
      for (int i = 0; i < FailedAuthentications.DEFAULT_PER_MINUTE; i++) {
        assertThat(call(server, i % 2 == 0 ? "Bearer " + guess + i : null).statusCode())
            .as("failure %d", i + 1)
            .isEqualTo(401);
      }
      for (String authorization : new String[] {"Bearer " + guess, "Bearer " + valid}) {
        HttpResponse<String> limited = call(server, authorization);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/problem+json");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(Json.mapper().readTree(limited.body()).get("detail").asText())
            .contains("too many failed authentications")
            .doesNotContain("\n");
      }
      // Open routes need no token and are not limited.
      assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(logs.list)
          .extracting(e -> e.getFormattedMessage())
          .noneMatch(m -> m.contains(guess) || m.contains(valid));
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void anAddressMayTryAgainWhenItsMinuteEndsAndOthersAreNotHeldUp() {
    MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    FailedAuthentications failures = new FailedAuthentications(3, clock);
    for (int i = 0; i < 3; i++) {
      assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
      failures.failed("10.0.0.1");
      clock.now = clock.now.plusSeconds(10);
    }
    assertThat(failures.blockedFor("10.0.0.1")).contains(Duration.ofSeconds(30));
    assertThat(failures.blockedFor("10.0.0.2")).isEmpty();
    clock.now = clock.now.plusSeconds(30);
    assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
    failures.failed("10.0.0.1"); // a new window: one failure so far
    assertThat(failures.blockedFor("10.0.0.1")).isEmpty();
  }

  private static HttpResponse<String> call(ServerHarness server, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/v1/whoami")).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return server.send(request);
  }

  /** A clock the test moves (the window is a minute; the test does not wait one). */
  private static final class MovableClock extends Clock {
    Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
