package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.server.GantryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry token create|list|revoke} as users type them, checked against a real server. */
class TokenCommandTest {
  @TempDir Path home;

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  @Test
  void aCreatedTokenIsPrintedOnceListedWithoutItsValueAndRefusedOnceRevoked() throws Exception {
    CliResult created = gantry("token", "create", "ci", "--role", "operator", "--expires", "30d");
    String token = created.out().trim();
    CliResult list = gantry("token", "list");

    assertThat(created.exitCode()).isZero();
    assertThat(token).startsWith("gantry_").hasSizeGreaterThan(40);
    assertThat(created.err())
        .contains("Token ci (operator, expires ")
        .contains("shown only this once");
    assertThat(list.out()).contains("NAME", "ROLE", "LAST USED", "ci", "operator", "active");
    assertThat(list.out()).doesNotContain(token);

    try (DatabaseGantryClient client = GantryClient.open(new GantryHome(home), null);
        GantryServer server =
            GantryServer.start(
                client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      URI whoami = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/whoami");
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(whoami).header("Authorization", "Bearer " + token).build();

      HttpResponse<String> before = http.send(request, HttpResponse.BodyHandlers.ofString());
      CliResult revoked = gantry("token", "revoke", "ci");

      assertThat(before.statusCode()).isEqualTo(200);
      assertThat(before.body()).isEqualTo("{\"tokenName\":\"ci\",\"role\":\"operator\"}");
      assertThat(revoked.out()).contains("Token ci revoked");
      // A revocation made outside the server reaches it within its token cache's 5 s.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .pollInterval(java.time.Duration.ofMillis(250))
          .until(
              () -> http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 401);
    }
    assertThat(gantry("token", "list").out()).contains("revoked");
  }

  @Test
  void aTakenNameAnUnknownRoleAndAnUnknownTokenFailInOneLine() {
    gantry("token", "create", "ci", "--role", "viewer");

    CliResult taken = gantry("token", "create", "ci", "--role", "admin");
    CliResult badRole = gantry("token", "create", "x", "--role", "root");
    CliResult unknown = gantry("token", "revoke", "nobody");

    assertThat(taken.exitCode()).isNotZero();
    assertThat(taken.err().strip())
        .isEqualTo("error: a token named 'ci' exists already; revoke it or choose another name");
    assertThat(badRole.err().strip())
        .isEqualTo("error: unknown role 'root'; use one of viewer, operator, deployer, admin");
    assertThat(unknown.err().strip())
        .isEqualTo("error: no active token named 'nobody'; see `gantry token list`");
  }
}
