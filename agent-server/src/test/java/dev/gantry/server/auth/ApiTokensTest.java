package dev.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.ApiTokenStore;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checking a token costs the store a lookup at most every few seconds and a last-use write at most
 * once a minute; revocation still wins within the stated bound. On a real (H2) store.
 */
class ApiTokensTest {
  @TempDir Path home;
  private DatabaseGantryClient gantry;
  private ApiTokenStore store;
  private final MovableClock clock =
      new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  @BeforeEach
  void open() {
    gantry = GantryClient.open(new GantryHome(home), null);
    store = gantry.backend().tokens();
  }

  @AfterEach
  void close() {
    gantry.close();
  }

  @Test
  void aRevocationElsewhereTakesEffectWithinTheVerifiedBoundAndHereAtOnce() {
    ApiTokens server = new ApiTokens(store, clock);
    ApiTokens cli = new ApiTokens(store, clock); // `gantry token revoke` on the same database
    String elsewhere = server.create("elsewhere", Role.VIEWER, null).value();
    String here = server.create("here", Role.VIEWER, null).value();
    assertThat(server.authenticate(elsewhere)).isPresent();
    assertThat(server.authenticate(here)).isPresent();

    cli.revoke("elsewhere");
    server.revoke("here");
    assertThat(server.authenticate(here)).isEmpty();
    clock.now = clock.now.plus(ApiTokens.VERIFIED_FOR).minusMillis(1);
    assertThat(server.authenticate(elsewhere)).as("still trusted from the last lookup").isPresent();
    clock.now = clock.now.plusMillis(1);
    assertThat(server.authenticate(elsewhere)).isEmpty();
    assertThat(ApiTokens.VERIFIED_FOR).isLessThanOrEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void expiryIsCheckedOnEveryCallNotOnlyAtLookup() {
    ApiTokens tokens = new ApiTokens(store, clock);
    String value = tokens.create("short", Role.VIEWER, Duration.ofSeconds(2)).value();
    assertThat(tokens.authenticate(value)).isPresent();
    clock.now = clock.now.plusSeconds(2);
    assertThat(tokens.authenticate(value)).isEmpty();
  }

  @Test
  void lastUseIsWrittenAtMostOnceAMinute() {
    ApiTokens tokens = new ApiTokens(store, clock);
    String value = tokens.create("busy", Role.VIEWER, null).value();
    Instant first = clock.now;
    assertThat(tokens.authenticate(value)).isPresent();
    assertThat(lastUsed("busy")).isEqualTo(first);
    for (int i = 0; i < 10; i++) {
      clock.now = clock.now.plusSeconds(5);
      assertThat(tokens.authenticate(value)).isPresent();
    }
    assertThat(lastUsed("busy")).isEqualTo(first);
    clock.now = first.plus(ApiTokens.TOUCH_EVERY);
    assertThat(tokens.authenticate(value)).isPresent();
    assertThat(lastUsed("busy")).isEqualTo(clock.now);
  }

  @Test
  void anUnknownValueIsRefused() {
    ApiTokens tokens = new ApiTokens(store, clock);
    tokens.create("known", Role.ADMIN, null);
    assertThat(tokens.authenticate(TokenValues.generate())).isEmpty();
  }

  private Instant lastUsed(String name) {
    return store.list().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow()
        .lastUsedAt()
        .truncatedTo(ChronoUnit.MILLIS);
  }

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
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
