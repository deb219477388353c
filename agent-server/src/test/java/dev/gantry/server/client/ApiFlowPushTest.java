package dev.gantry.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gantry.backend.AuditStore.AuditEvent;
import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.client.RunProvenance;
import dev.gantry.domain.FlowRun;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.PostgresSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gantry flow push} through {@code POST /api/v1/flows/{name}/push}: the push is made with
 * the server's storage, recorded as made by the caller's token and audited as {@code flow.push};
 * the remote client returns the same pushes, provenance and refusals as the database mode.
 */
class ApiFlowPushTest {
  @TempDir Path home;
  private PostgresSchema schema;
  private DatabaseGantryClient database;
  private GantryServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (database != null) {
      database.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  private ApiGantryClient start(String backend, String tokenName, Role role) {
    if (backend.equals("postgres")) {
      schema = PostgresSchema.create();
    }
    database = GantryClient.open(new GantryHome(home), schema == null ? null : schema.url());
    server =
        GantryServer.start(
            database,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    return client(tokenName, role);
  }

  private ApiGantryClient client(String tokenName, Role role) {
    String token =
        new ApiTokens(database.backend().tokens(), Clock.systemUTC())
            .create(tokenName, role, null)
            .value();
    return ApiGantryClient.connect("http://127.0.0.1:" + server.port(), token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aPushOverTheApiIsRecordedAsTheTokensAndBothModesAgree(String backend) throws Exception {
    ApiGantryClient api = start(backend, "ci-deploy", Role.DEPLOYER);
    RegisteredFlow flow =
        database.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Greeting#greeting")
                .withFormat(BundleFormat.source));
    Path stored = Path.of(URI.create(flow.location()));

    BundlePush push =
        api.push(new BundlePushRequest("greeting", List.of(ExamplesJar.path()), null, "me"));

    assertThat(push.pushedBy())
        .as("the token's name, not what the client says")
        .isEqualTo("ci-deploy");
    assertThat(push.flowVersion()).isEqualTo(1);
    assertThat(push.digest()).isEqualTo(Sha256.of(stored)).isNotEqualTo(flow.digest());
    assertThat(database.versions("greeting")).hasSize(1);
    List<BundlePush> pushes = same(api, g -> g.pushes("greeting"));
    assertThat(pushes).containsExactly(push);
    List<AuditEvent> audit = database.backend().audit().list(Long.MAX_VALUE, 10);
    assertThat(audit)
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("flow.push");
              assertThat(e.tokenName()).isEqualTo("ci-deploy");
              assertThat(e.outcome()).isEqualTo("201");
            });

    FlowRun run = database.createRun("greeting", Map.of("name", "push"), Set.of());
    Optional<RunProvenance> before = same(api, g -> g.provenance(run.id()));
    assertThat(before).isEmpty();
    FlowRun claimed =
        database.backend().runs().claimDue("agent-1", run.labels(), 1, Instant.now()).get(0);
    assertThat(database.backend().runs().recordRunBundle(claimed.fence(), push.digest(), null))
        .isTrue();
    RunProvenance ran = same(api, g -> g.provenance(run.id())).orElseThrow();
    assertThat(ran.push()).isEqualTo(push);
    assertThat(ran.asRegistered()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2"})
  void refusalsOverTheApiAreTheDatabaseModesAndChangeNothing(String backend) throws Exception {
    ApiGantryClient api = start(backend, "ci-deploy", Role.DEPLOYER);
    database.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
    RegisteredFlow source =
        database.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Greeting#greeting")
                .withFormat(BundleFormat.source));
    String before = Sha256.of(Path.of(URI.create(source.location())));
    List<Path> jar = List.of(ExamplesJar.path());

    sameFailure(api, g -> g.push(new BundlePushRequest("no-such", jar, null, "me")));
    sameFailure(api, g -> g.push(new BundlePushRequest("etl", jar, null, "me")));
    sameFailure(
        api,
        g -> g.push(new BundlePushRequest("greeting", jar, "dev.gantry.examples.Etl#etl", "me")));
    Throwable viewer =
        catchThrowable(
            () ->
                client("viewer", Role.VIEWER)
                    .push(new BundlePushRequest("greeting", jar, null, "me")));

    assertThat(viewer).hasMessageContaining("deployer");
    assertThat(Sha256.of(Path.of(URI.create(source.location())))).isEqualTo(before);
    assertThat(database.pushes("greeting")).isEmpty();
    assertThat(catchThrowable(() -> api.push(new BundlePushRequest("etl", jar, null, "me"))))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("serialized bundle")
        .hasMessageNotContaining("\n");
  }

  private <T> T same(GantryClient api, Function<GantryClient, T> call) {
    T direct = call.apply(database);
    T remote = call.apply(api);
    assertThat(remote).isEqualTo(direct);
    return remote;
  }

  private void sameFailure(GantryClient api, Function<GantryClient, ?> call) {
    Throwable direct = catchThrowable(() -> call.apply(database));
    Throwable remote = catchThrowable(() -> call.apply(api));
    assertThat(direct).as("the database mode refuses it").isNotNull();
    assertThat(remote).isExactlyInstanceOf(direct.getClass()).hasMessage(direct.getMessage());
  }
}
