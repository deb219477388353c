package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.bundle.Sha256;
import dev.gantry.registration.FlowBundler;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.server.json.RegistrationRequest;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.PostgresSchema;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /api/v1/flows} over real HTTP on a real server: a multipart upload registers the
 * flow; every bad upload is a one-line 4xx that registers nothing and leaves no upload behind.
 */
class FlowRegistrationTest {
  private static final String ETL = "{\"factory\": \"dev.gantry.examples.Etl#etl\"}";

  @TempDir Path home;
  private PostgresSchema schema;
  private ServerHarness server;
  private String deployer;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  private void start(String database, GantryServer.Settings settings) {
    String url = null;
    if (database.equals("postgres")) {
      schema = PostgresSchema.create();
      url = schema.url();
    }
    server = new ServerHarness(home, url, settings);
    deployer =
        new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC())
            .create("deploy", Role.DEPLOYER, null)
            .value();
  }

  private HttpResponse<String> upload(String contentType, HttpRequest.BodyPublisher body)
      throws Exception {
    return server.send(
        HttpRequest.newBuilder(server.uri("/api/v1/flows"))
            .header("Authorization", "Bearer " + deployer)
            .header("Content-Type", contentType)
            .POST(body));
  }

  private HttpResponse<String> upload(MultipartBody body) throws Exception {
    return upload(body.contentType(), body.publisher());
  }

  private static byte[] examplesJar() throws Exception {
    return Files.readAllBytes(ExamplesJar.path());
  }

  private static Set<Path> uploadDirectories() throws Exception {
    try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("gantry-upload-"))
          .collect(Collectors.toSet());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void anUploadedJarAndRegistrationRegisterTheFlowAndAreAudited(String database) throws Exception {
    start(
        database,
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    Set<Path> before = uploadDirectories();
    HttpResponse<String> response =
        upload(
            new MultipartBody()
                .field(
                    RegistrationRequest.PART,
                    "application/json",
                    "{\"factory\": \"dev.gantry.examples.Etl#etl\", \"labels\": [\"team-a\"],"
                        + " \"format\": \"source\"}")
                .file(RegistrationRequest.JAR_PART, "gantry-examples.jar", examplesJar()));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonNode flow = Json.mapper().readTree(response.body());
    assertThat(flow.get("name").asText()).isEqualTo("etl");
    assertThat(flow.get("version").asInt()).isEqualTo(1);
    assertThat(flow.get("format").asText()).isEqualTo("source");
    assertThat(flow.get("labels").findValuesAsText("label")).contains("team-a");
    assertThat(server.gantry.flow("etl").digest()).isEqualTo(flow.get("digest").asText());
    assertThat(server.gantry.createRun("etl", java.util.Map.of(), Set.of()).flowId())
        .isEqualTo(flow.get("id").asLong());
    List<AuditEvent> audit = server.gantry.backend().audit().list(Long.MAX_VALUE, 10);
    assertThat(audit)
        .extracting(AuditEvent::action, AuditEvent::outcome, AuditEvent::tokenName)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("flow.register", "201", "deploy"));
    assertThat(uploadDirectories()).isSubsetOf(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void anUploadedBundleRegistersUnchangedAndIsAudited(String database) throws Exception {
    start(
        database,
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    Set<Path> before = uploadDirectories();
    Path file = home.resolve("built/etl.gantry");
    FlowBundler.Bundle built =
        FlowBundler.write(List.of(ExamplesJar.path()), "dev.gantry.examples.Etl#etl", false, file);

    HttpResponse<String> response =
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, "application/json", "{\"labels\": [\"team-b\"]}")
                .file(RegistrationRequest.BUNDLE_PART, "etl.gantry", Files.readAllBytes(file)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonNode flow = Json.mapper().readTree(response.body());
    assertThat(flow.get("name").asText()).isEqualTo("etl");
    assertThat(flow.get("format").asText()).isEqualTo("serialized");
    assertThat(flow.get("digest").asText()).isEqualTo(built.digest()).isEqualTo(Sha256.of(file));
    assertThat(flow.get("labels").findValuesAsText("label")).contains("team-b");
    Path stored = Path.of(java.net.URI.create(server.gantry.flow("etl").location()));
    assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(file));
    assertThat(server.gantry.backend().audit().list(Long.MAX_VALUE, 10))
        .extracting(AuditEvent::action, AuditEvent::outcome, AuditEvent::tokenName)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("flow.register", "201", "deploy"));
    assertThat(uploadDirectories()).isSubsetOf(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void badBundleUploadsAreOneLine400sAndRegisterNothing(String database) throws Exception {
    start(
        database,
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    Set<Path> before = uploadDirectories();
    Path file = home.resolve("built/etl.gantry");
    FlowBundler.write(List.of(ExamplesJar.path()), "dev.gantry.examples.Etl#etl", false, file);
    byte[] bundle = Files.readAllBytes(file);
    String json = "application/json";

    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{}")
                .file(RegistrationRequest.BUNDLE_PART, "etl.gantry", bundle)
                .file(RegistrationRequest.JAR_PART, "a.jar", examplesJar())),
        400,
        "both 'jar' and 'bundle' parts");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, ETL)
                .file(RegistrationRequest.BUNDLE_PART, "etl.gantry", bundle)),
        400,
        "leave factory out");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{}")
                .file(RegistrationRequest.BUNDLE_PART, "a.gantry", bundle)
                .file(RegistrationRequest.BUNDLE_PART, "b.gantry", bundle)),
        400,
        "more than one 'bundle' part");
    byte[] tampered = bundle.clone();
    tampered[tampered.length / 2] ^= 1;
    HttpResponse<String> changed =
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{}")
                .file(RegistrationRequest.BUNDLE_PART, "etl.gantry", tampered));
    assertProblem(changed, 400, "etl.gantry");
    assertThat(changed.body()).doesNotContain("gantry-upload-");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{}")
                .file(RegistrationRequest.BUNDLE_PART, "notes.gantry", "plain text".getBytes())),
        400,
        "bundle at notes.gantry is not a Gantry bundle");

    assertThat(server.gantry.flows()).isEmpty();
    assertThat(uploadDirectories()).isSubsetOf(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void badUploadsAreOneLine4xxProblemsAndRegisterNothing(String database) throws Exception {
    start(
        database,
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    Set<Path> before = uploadDirectories();
    byte[] jar = examplesJar();
    String json = "application/json";

    assertProblem(
        upload(json, HttpRequest.BodyPublishers.ofString(ETL)), 415, "multipart/form-data");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{\"factory\": ")
                .file(RegistrationRequest.JAR_PART, "a.jar", jar)),
        400,
        "not valid JSON");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{\"factory\": \"x#y\", \"colour\": 1}")
                .file(RegistrationRequest.JAR_PART, "a.jar", jar)),
        400,
        "unknown field 'colour'");
    assertProblem(
        upload(new MultipartBody().file(RegistrationRequest.JAR_PART, "a.jar", jar)),
        400,
        "no 'registration' part");
    assertProblem(
        upload(new MultipartBody().field(RegistrationRequest.PART, json, ETL)),
        400,
        "no 'jar' part");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, ETL)
                .file("jars", "a.jar", jar)),
        400,
        "part 'jars'");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{}")
                .file(RegistrationRequest.JAR_PART, "a.jar", jar)),
        400,
        "no factory");
    HttpResponse<String> badFactory =
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, "{\"factory\": \"com.acme.Nope#etl\"}")
                .file(RegistrationRequest.JAR_PART, "gantry-examples.jar", jar));
    assertProblem(badFactory, 400, "com.acme.Nope");
    assertThat(badFactory.body()).doesNotContain("gantry-upload-");
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, json, ETL)
                .file(RegistrationRequest.JAR_PART, "not-a.jar", "plain text".getBytes())),
        400,
        "");
    assertProblem(
        upload("multipart/form-data; boundary=nothing", HttpRequest.BodyPublishers.ofString("x")),
        400,
        "multipart");

    assertThat(server.gantry.flows()).isEmpty();
    assertThat(uploadDirectories()).isSubsetOf(before);
  }

  @Test
  void anUploadOverTheLimitIs413AndRegistersNothing() throws Exception {
    start("h2", new GantryServer.Settings("127.0.0.1", 0, 64 * 1024).withMaxUploadBytes(8 * 1024));
    assertProblem(
        upload(
            new MultipartBody()
                .field(RegistrationRequest.PART, "application/json", ETL)
                .file(RegistrationRequest.JAR_PART, "big.jar", new byte[64 * 1024])),
        413,
        "--max-upload");
    // Without a Content-Length (chunked), the limit is enforced while the parts are read.
    MultipartBody chunked =
        new MultipartBody()
            .field(RegistrationRequest.PART, "application/json", ETL)
            .file(RegistrationRequest.JAR_PART, "big.jar", new byte[64 * 1024]);
    byte[] bytes = readAll(chunked.publisher());
    assertProblem(
        upload(
            chunked.contentType(),
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(bytes))),
        413,
        "--max-upload");
    assertThat(server.gantry.flows()).isEmpty();
  }

  @Test
  void onlyADeployerOrAdminMayRegister() throws Exception {
    start(
        "h2",
        new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    String operator =
        new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC())
            .create("op", Role.OPERATOR, null)
            .value();
    MultipartBody body =
        new MultipartBody()
            .field(RegistrationRequest.PART, "application/json", ETL)
            .file(RegistrationRequest.JAR_PART, "a.jar", examplesJar());
    HttpResponse<String> refused =
        server.send(
            HttpRequest.newBuilder(server.uri("/api/v1/flows"))
                .header("Authorization", "Bearer " + operator)
                .header("Content-Type", body.contentType())
                .POST(body.publisher()));
    assertProblem(refused, 403, "needs deployer");
    assertThat(server.gantry.flows()).isEmpty();
  }

  private static byte[] readAll(HttpRequest.BodyPublisher publisher) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();
    publisher.subscribe(
        new java.util.concurrent.Flow.Subscriber<java.nio.ByteBuffer>() {
          @Override
          public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(java.nio.ByteBuffer item) {
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            out.writeBytes(chunk);
          }

          @Override
          public void onError(Throwable e) {
            done.completeExceptionally(e);
          }

          @Override
          public void onComplete() {
            done.complete(null);
          }
        });
    done.get();
    return out.toByteArray();
  }

  private static void assertProblem(HttpResponse<String> response, int status, String detailPart)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    String detail = Json.mapper().readTree(response.body()).get("detail").asText();
    assertThat(detail).contains(detailPart).doesNotContain("\n");
  }
}
