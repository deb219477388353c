package dev.gantry.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gantry.backend.RunSearch;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.PostgresSchema;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two modes of {@link GantryClient} side by side over one backend: the database client and the
 * API client of a real server on 127.0.0.1 return equal values and throw the same exception types
 * with the same messages, on H2 and PostgreSQL.
 */
class ApiGantryClientTest {
  @TempDir Path home;
  private PostgresSchema schema;
  private DatabaseGantryClient database;
  private GantryServer server;
  private ApiGantryClient api;

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

  private void start(String backend) {
    if (backend.equals("postgres")) {
      schema = PostgresSchema.create();
    }
    database = GantryClient.open(new GantryHome(home), schema == null ? null : schema.url());
    server =
        GantryServer.start(
            database,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    String token =
        new ApiTokens(database.backend().tokens(), Clock.systemUTC())
            .create("client-test", Role.ADMIN, null)
            .value();
    api = ApiGantryClient.connect("http://127.0.0.1:" + server.port(), token);
  }

  private <T> T same(Function<GantryClient, T> call) {
    T direct = call.apply(database);
    T remote = call.apply(api);
    assertThat(remote).isEqualTo(direct);
    return remote;
  }

  private void sameFailure(Function<GantryClient, ?> call) {
    Throwable direct = catchThrowable(() -> call.apply(database));
    Throwable remote = catchThrowable(() -> call.apply(api));
    assertThat(direct).as("the database mode refuses it").isNotNull();
    assertThat(remote).isExactlyInstanceOf(direct.getClass()).hasMessage(direct.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void bothModesReturnEqualValues(String backend) {
    start(backend);
    RegisteredFlow direct =
        database.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Sleepy#sleepy")
                .withSchedule(FlowSchedule.every(Duration.ofMillis(90_500))));
    RegisteredFlow remote =
        api.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
    assertThat(database.flowVersion(remote.id())).contains(remote);

    same(GantryClient::flows);
    same(GantryClient::allVersions);
    same(g -> g.versions("sleepy"));
    same(g -> g.flow("etl"));
    same(g -> g.flowVersion(direct.id()));
    same(g -> g.flowVersion(9_999L));
    same(g -> g.flowVersion("sleepy", 1));
    same(g -> g.coverageWarning(direct));
    assertThat(same(GantryClient::schedules)).hasSize(1);
    api.pauseSchedule("sleepy", true);
    assertThat(same(GantryClient::schedules).get(0).paused()).isTrue();

    List<FlowRun> runs = api.createRuns("etl", null, Map.of("rows", "3"), Set.of("extra"), 3);
    FlowRun one = api.createRun("sleepy", Map.of(), Set.of());
    assertThat(database.run(one.id())).isEqualTo(one);
    same(g -> g.run(runs.get(0).id()));
    same(g -> g.run(runs.get(0).id().substring(0, 8)));
    same(g -> g.runs(null, Set.of(), 10));
    same(g -> g.runs("etl", EnumSet.of(RunState.Scheduled), 2));
    RunSearch.RunPage first = same(g -> g.searchRuns(RunSearch.RunFilter.any(), null, 2));
    same(g -> g.searchRuns(RunSearch.RunFilter.any(), first.next(), 2));
    same(g -> g.runsChangedSince(Instant.EPOCH, 100));
    same(g -> g.history(one.id()));
    same(g -> g.tasks(one.id()));
    same(g -> g.logs(one.id(), 0, 100));
    same(g -> g.explain(one.id(), Duration.ofSeconds(5)));
    same(GantryClient::agents);
    assertThat(api.cancel(one.id())).isEqualTo(RunState.Cancelled);
    same(g -> g.cancel(one.id()));

    api.setSecret("TOKEN_OF_A_SERVICE", "value-never-returned");
    assertThat(same(GantryClient::secrets))
        .extracting(s -> s.name())
        .contains("TOKEN_OF_A_SERVICE");
    api.deleteSecret("TOKEN_OF_A_SERVICE");
    same(GantryClient::secrets);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void bothModesThrowTheSameExceptionsWithTheSameMessages(String backend) {
    start(backend);
    database.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
    sameFailure(g -> g.flow("nope"));
    sameFailure(g -> g.versions("nope"));
    sameFailure(g -> g.createRun("nope", Map.of(), Set.of()));
    sameFailure(g -> g.createRun("etl", Map.of("rows", "ten"), Set.of()));
    sameFailure(g -> g.createRun("etl", Map.of("nosuch", "1"), Set.of()));
    sameFailure(g -> g.createRuns("etl", null, Map.of(), Set.of(), 0));
    sameFailure(g -> g.run("00000000-dead"));
    sameFailure(g -> g.run("xyz"));
    same(g -> g.history("00000000-dead"));
    same(g -> g.tasks("00000000-dead"));
    same(g -> g.logs("00000000-dead", 0, 10));
    sameFailure(g -> g.cancel("00000000-dead"));
    sameFailure(g -> g.explain("00000000-dead", Duration.ofSeconds(30)));
    sameFailure(
        g -> {
          g.pauseSchedule("etl", true);
          return null;
        });
    sameFailure(
        g -> {
          g.pauseSchedule("nope", true);
          return null;
        });
    sameFailure(
        g -> {
          g.deleteSecret("NOPE");
          return null;
        });
    sameFailure(
        g -> {
          g.setSecret("bad name", "v");
          return null;
        });
    sameFailure(
        g ->
            g.register(
                Registration.of(home.resolve("missing.jar"), "dev.gantry.examples.Etl#etl")));
  }
}
