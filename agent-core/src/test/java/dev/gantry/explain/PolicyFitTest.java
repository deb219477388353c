package dev.gantry.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code run explain} names the agents whose policy would refuse a waiting run, and why. */
class PolicyFitTest {
  private static final Instant NOW = Instant.parse("2026-12-03T06:00:00Z");
  private static final Duration STALE = Duration.ofSeconds(30);
  private static final LaunchPolicy SMALL =
      new LaunchPolicy(
          List.of(), 2L * 1024 * 1024 * 1024, null, Set.of(), false, false, false, false);

  private static AgentInfo agent(String id, String name) {
    return new AgentInfo(
        id, name, "docker", "host", Set.of("etl"), 4, 0, NOW.minusSeconds(600), NOW, null);
  }

  private static FlowRun waiting() {
    return new FlowRun(
        "run-1",
        7,
        "etl",
        3,
        RunState.Scheduled,
        Set.of("etl"),
        Map.of(),
        0,
        null,
        NOW.minusSeconds(5),
        NOW.minusSeconds(5),
        NOW.minusSeconds(5),
        null,
        null,
        null);
  }

  private static final RunConfig ASKS_4G = RunConfig.of(Map.of("memory", "4g"), Map.of());

  @Test
  void whenEveryTakingAgentRefusesTheRunTheVerdictNamesTheSettingAndTheLimit() {
    RunDiagnosis diagnosis =
        PolicyFit.diagnose(
            waiting(),
            List.of(agent("a1", "small")),
            NOW,
            STALE,
            ASKS_4G,
            null,
            Map.of("a1", SMALL));

    assertThat(diagnosis.verdict()).isEqualTo(RunDiagnosis.Verdict.REFUSED_BY_POLICY);
    assertThat(diagnosis.lines())
        .contains("    - small: memory=4g (flow) is above this agent's --max-memory 2g");
  }

  @Test
  void anAgentThatAllowsItStillClaimsItAndTheRefusingOnesAreNamed() {
    RunDiagnosis diagnosis =
        PolicyFit.diagnose(
            waiting(),
            List.of(agent("a1", "small"), agent("a2", "big")),
            NOW,
            STALE,
            ASKS_4G,
            null,
            Map.of("a1", SMALL, "a2", LaunchPolicy.DEFAULT));

    assertThat(diagnosis.verdict()).isEqualTo(RunDiagnosis.Verdict.CLAIMABLE);
    assertThat(diagnosis.lines().get(0)).contains("agent big takes");
    assertThat(diagnosis.lines())
        .contains("    - small: memory=4g (flow) is above this agent's --max-memory 2g");
  }

  @Test
  void aRunWithinEveryPolicyGetsThePlainDiagnosis() {
    RunConfig small = RunConfig.of(Map.of("memory", "1g"), Map.of());

    RunDiagnosis diagnosis =
        PolicyFit.diagnose(
            waiting(), List.of(agent("a1", "small")), NOW, STALE, small, null, Map.of("a1", SMALL));

    assertThat(diagnosis)
        .isEqualTo(RunDiagnosis.of(waiting(), List.of(agent("a1", "small")), NOW, STALE));
  }
}
