package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a 4xx problem and changes nothing; secret values never come back out. */
class ApiInputTest {
  private static final String VALUE = "s3cr3t-VALUE-never-shown";

  @TempDir Path home;
  private ServerHarness server;
  private String admin;

  private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>
      logs = new ch.qos.logback.core.read.ListAppender<>();

  private static ch.qos.logback.classic.Logger rootLogger() {
    return (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @BeforeEach
  void start() {
    logs.start();
    rootLogger().addAppender(logs);
    server = new ServerHarness(home, null);
    admin =
        new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC())
            .create("root", Role.ADMIN, null)
            .value();
  }

  @AfterEach
  void stop() {
    server.close();
    rootLogger().detachAppender(logs);
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + admin);
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return server.send(request);
  }

  @Test
  void malformedUnknownMistypedAndOversizedBodiesAre4xxAndStoreNothing() throws Exception {
    List<String> bodies =
        List.of(
            "",
            "{",
            "null",
            "[]",
            "{\"value\": 42}",
            "{\"value\": true}",
            "{\"value\": \"x\", \"extra\": 1}",
            "{\"value\": \"x\"} trailing",
            "{\"value\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}");
    for (String body : bodies) {
      HttpResponse<String> response = send("PUT", "/api/v1/secrets/DB_PASSWORD", body);
      assertThat(response.statusCode())
          .as("PUT with %s", body.length() > 40 ? body.substring(0, 40) + "..." : body)
          .isBetween(400, 499);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
    for (String body :
        List.of("{\"name\": \"ci\"}", "{\"name\": \"ci\", \"role\": \"root\"}", "{\"name\": 1}")) {
      assertThat(send("POST", "/api/v1/tokens", body).statusCode()).isEqualTo(400);
    }
    assertThat(send("GET", "/api/v1/audit?limit=0", null).statusCode()).isEqualTo(400);
    assertThat(send("GET", "/api/v1/audit?before=abc", null).statusCode()).isEqualTo(400);
    assertThat(send("DELETE", "/api/v1/secrets/NOPE", null).statusCode()).isEqualTo(404);

    assertThat(server.gantry.secrets()).isEmpty();
    assertThat(server.gantry.backend().tokens().list())
        .extracting(t -> t.name())
        .containsExactly("root");
  }

  private HttpResponse<String> sendTyped(String method, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(path))
            .header("Authorization", "Bearer " + admin)
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    return server.send(request);
  }

  private static String detail(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .as(response.body())
        .startsWith("application/problem+json");
    return dev.gantry.server.json.Json.mapper().readTree(response.body()).get("detail").asText();
  }

  @Test
  void aJsonBodyNeedsAJsonContentTypeAnd415OtherwiseStoresNothing() throws Exception {
    String body = "{\"value\": \"x\"}";
    for (String type :
        new String[] {null, "text/plain", "application/xml", "application/x-www-form-urlencoded"}) {
      HttpResponse<String> response = sendTyped("PUT", "/api/v1/secrets/DB_PASSWORD", type, body);
      assertThat(response.statusCode()).as("Content-Type %s", type).isEqualTo(415);
      assertThat(detail(response)).contains("Content-Type: application/json");
    }
    assertThat(server.gantry.secrets()).isEmpty();
    for (String type : new String[] {"application/json; charset=utf-8", "application/merge+json"}) {
      assertThat(sendTyped("PUT", "/api/v1/secrets/DB_PASSWORD", type, body).statusCode())
          .as("Content-Type %s", type)
          .isEqualTo(204);
    }
  }

  @Test
  void aNulInTheBodyQueryOrPathIsAOneLine400ProblemAndChangesNothing() throws Exception {
    HttpResponse<String> inBody =
        send("PUT", "/api/v1/secrets/DB_PASSWORD", "{\"value\": \"a\\u0000b\"}");
    assertThat(inBody.statusCode()).isEqualTo(400);
    assertThat(detail(inBody)).contains("field 'value'").contains("NUL");
    HttpResponse<String> inName = send("POST", "/api/v1/tokens", "{\"na\\u0000me\": \"x\"}");
    assertThat(inName.statusCode()).isEqualTo(400);
    assertThat(detail(inName)).contains("NUL").doesNotContain("\u0000");
    HttpResponse<String> inQuery = send("GET", "/api/v1/runs?label=a%00b", null);
    assertThat(inQuery.statusCode()).isEqualTo(400);
    assertThat(detail(inQuery)).contains("query parameter 'label'").contains("NUL");
    HttpResponse<String> inPath =
        send("PUT", "/api/v1/secrets/DB%00PASSWORD", "{\"value\": \"x\"}");
    assertThat(inPath.statusCode()).isEqualTo(400);
    assertThat(detail(inPath)).contains("malformed").doesNotContain("\n");
    assertThat(server.gantry.secrets()).isEmpty();
  }

  @Test
  void aSecretValueIsWriteOnlyAndTheAuditTrailNamesOnlyWhoWhatAndWhere() throws Exception {
    assertThat(
            send("PUT", "/api/v1/secrets/DB_PASSWORD", "{\"value\": \"" + VALUE + "\"}")
                .statusCode())
        .isEqualTo(204);
    HttpResponse<String> created =
        send("POST", "/api/v1/tokens", "{\"name\": \"ci\", \"role\": \"viewer\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String ciToken = created.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    assertThat(ciToken).startsWith("gantry_");

    StringBuilder everything = new StringBuilder();
    for (String path :
        List.of("/api/v1/secrets", "/api/v1/tokens", "/api/v1/audit", "/api/v1/agents")) {
      HttpResponse<String> response = send("GET", path, null);
      assertThat(response.statusCode()).isEqualTo(200);
      everything.append(response.body());
    }
    assertThat(everything).contains("DB_PASSWORD").doesNotContain(VALUE).doesNotContain(ciToken);
    assertThat(everything).doesNotContain(admin);

    HttpResponse<String> refused =
        server.send(
            HttpRequest.newBuilder(server.uri("/api/v1/secrets/DB_PASSWORD"))
                .header("Authorization", "Bearer " + ciToken)
                .DELETE());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body())
        .contains("token 'ci' has role viewer; DELETE /api/v1/secrets/{name} needs admin");

    List<AuditEvent> audit = server.gantry.backend().audit().list(Long.MAX_VALUE, 100);
    assertThat(audit)
        .extracting(AuditEvent::action, AuditEvent::tokenName, AuditEvent::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("secret.delete", "ci", "403"),
            org.assertj.core.groups.Tuple.tuple("token.create", "root", "201"),
            org.assertj.core.groups.Tuple.tuple("secret.set", "root", "204"));
    assertThat(audit.get(2).target()).isEqualTo("/api/v1/secrets/DB_PASSWORD");
    assertThat(audit.get(2).clientAddress()).isEqualTo("127.0.0.1");
    assertThat(audit.toString()).doesNotContain(VALUE).doesNotContain(ciToken);
    StringBuilder logged = new StringBuilder();
    for (ch.qos.logback.classic.spi.ILoggingEvent event : logs.list) {
      logged.append(event.getFormattedMessage()).append('\n');
    }
    assertThat(logs.list).as("the server logged while it served").isNotEmpty();
    assertThat(logged).doesNotContain(VALUE).doesNotContain(ciToken).doesNotContain(admin);
  }
}
