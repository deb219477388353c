package dev.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.explain.RunDiagnosis.Verdict;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.LaunchPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run explain} over the database names an agent whose published policy would refuse a
 * waiting run, with the setting and the limit, though that agent runs in another process: the
 * agents register in one client, the run is explained by another on the same database.
 */
class ExplainPolicyTest {
  private static final Duration STALE = Duration.ofSeconds(30);
  private static final LaunchPolicy MAX_1G =
      new LaunchPolicy(List.of(), 1024L * 1024 * 1024, null, Set.of(), false, false, false, false);

  @TempDir Path home;
  private DatabaseGantryClient agentSide;
  private DatabaseGantryClient userSide;
  private FlowRun run;

  @BeforeEach
  void open() {
    agentSide = GantryClient.open(new GantryHome(home), null);
    userSide = GantryClient.open(new GantryHome(home), null);
    RegisteredFlow big =
        agentSide
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
    run =
        agentSide
            .backend()
            .runs()
            .create(new NewRun(big.id(), Set.of("etl"), Map.of(), Instant.now()));
  }

  @AfterEach
  void close() {
    userSide.close();
    agentSide.close();
  }

  private AgentInfo agent(String name, LaunchPolicy policy) {
    Instant now = Instant.now();
    AgentInfo agent =
        new AgentInfo(
            UUID.randomUUID().toString(),
            name,
            "docker",
            "host-1",
            Set.of("etl"),
            4,
            0,
            now,
            now,
            null);
    agentSide.backend().agents().register(agent, policy);
    return agent;
  }

  @Test
  void aRunAskingMoreMemoryThanTheOnlyTakingAgentAllowsIsRefusedByPolicyNamingAgentSettingLimit() {
    agent("small-docker", MAX_1G);

    RunDiagnosis diagnosis = userSide.explain(run.id(), STALE);

    assertThat(diagnosis.verdict()).isEqualTo(Verdict.REFUSED_BY_POLICY);
    assertThat(diagnosis.lines().get(0))
        .isEqualTo(
            "Run "
                + run.id()
                + " is due, but every live agent that takes its labels refuses what its flow asks"
                + " for (it would fail at launch):");
    assertThat(diagnosis.lines())
        .contains("    - small-docker: memory=2g (flow) is above this agent's --max-memory 1g");
  }

  @Test
  void aSecondAgentWithoutLimitsMakesTheVerdictAboutThatAgentAndStillNamesTheRefusingOne() {
    agent("small-docker", MAX_1G);
    agent("big-docker", null);

    RunDiagnosis diagnosis = userSide.explain(run.id(), STALE);

    assertThat(diagnosis.verdict()).isEqualTo(Verdict.CLAIMABLE);
    assertThat(diagnosis.lines().get(0))
        .startsWith("Run " + run.id() + " is due and agent big-docker takes its labels etl");
    assertThat(diagnosis.lines())
        .contains(
            "  These agents take its labels but refuse what its flow asks for:",
            "    - small-docker: memory=2g (flow) is above this agent's --max-memory 1g");
  }

  @Test
  void anAgentWhosePolicyAllowsTheRunIsNotNamed() {
    agent(
        "roomy-docker",
        new LaunchPolicy(List.of(), 4L << 30, null, Set.of(), false, false, false, false));

    RunDiagnosis diagnosis = userSide.explain(run.id(), STALE);

    assertThat(diagnosis.verdict()).isEqualTo(Verdict.CLAIMABLE);
    assertThat(String.join("\n", diagnosis.lines())).doesNotContain("refuse");
  }
}
