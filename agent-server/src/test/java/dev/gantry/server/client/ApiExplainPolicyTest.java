package dev.gantry.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run refused by an agent's policy is explained the same through the API of a real server as over
 * the database: the verdict REFUSED_BY_POLICY and the line naming the agent, setting and limit.
 */
class ApiExplainPolicyTest {
  @TempDir Path home;
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
  }

  @Test
  void theRefusedByPolicyVerdictAndItsLinesSurviveTheApi() {
    database = GantryClient.open(new GantryHome(home), null);
    server =
        GantryServer.start(
            database,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    String token =
        new ApiTokens(database.backend().tokens(), Clock.systemUTC())
            .create("explain-test", Role.ADMIN, null)
            .value();
    ApiGantryClient api = ApiGantryClient.connect("http://127.0.0.1:" + server.port(), token);
    RegisteredFlow big =
        database
            .backend()
            .flows()
            .register(
                new NewFlowVersion(
                        "big",
                        BundleFormat.module,
                        "module:dev.gantry.examples.Etl#etl",
                        null,
                        "dev.gantry.examples.Etl#etl",
                        null,
                        List.of(),
                        Set.of(),
                        List.of())
                    .withRunConfig(RunConfig.of(Map.of("memory", "2g"), Map.of())));
    Instant now = Instant.now();
    database
        .backend()
        .agents()
        .register(
            new AgentInfo("a1", "small", "docker", "host-1", Set.of(), 4, 0, now, now, null),
            new LaunchPolicy(List.of(), 1L << 30, null, Set.of(), false, false, false, false));
    FlowRun run = database.backend().runs().create(new NewRun(big.id(), Set.of(), Map.of(), now));

    RunDiagnosis remote = api.explain(run.id(), Duration.ofSeconds(30));

    assertThat(remote).isEqualTo(database.explain(run.id(), Duration.ofSeconds(30)));
    assertThat(remote.verdict()).isEqualTo(RunDiagnosis.Verdict.REFUSED_BY_POLICY);
    assertThat(remote.lines())
        .contains("    - small: memory=2g (flow) is above this agent's --max-memory 1g");
  }
}
