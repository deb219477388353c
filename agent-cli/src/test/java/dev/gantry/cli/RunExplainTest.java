package dev.gantry.cli;

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
import dev.gantry.flow.storage.Local;
import dev.gantry.home.GantryHome;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gantry run explain}: why a due run is still Scheduled, from the agents the backend knows;
 * and the warning {@code flow register} prints when no agent would take the flow.
 */
class RunExplainTest {
  @TempDir Path home;
  private DatabaseGantryClient gantry;
  private RegisteredFlow flow;

  @BeforeEach
  void open() {
    gantry = GantryClient.open(new GantryHome(home), null);
    flow =
        gantry
            .backend()
            .flows()
            .register(
                new NewFlowVersion(
                    "waiting",
                    BundleFormat.module,
                    "module:dev.gantry.examples.Etl#etl",
                    null,
                    "dev.gantry.examples.Etl#etl",
                    null,
                    List.of(),
                    Set.of(),
                    List.of()));
  }

  @AfterEach
  void close() {
    gantry.close();
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  private FlowRun run(Set<String> labels, Instant due) {
    return gantry.backend().runs().create(new NewRun(flow.id(), labels, Map.of(), due));
  }

  private AgentInfo agent(
      String name, Set<String> labels, int running, int max, Instant heartbeat, Instant stopped) {
    AgentInfo agent =
        new AgentInfo(
            UUID.randomUUID().toString(),
            name,
            "local",
            "host-1",
            labels,
            max,
            running,
            heartbeat.minusSeconds(60),
            heartbeat,
            stopped);
    gantry.backend().agents().register(agent);
    gantry.backend().agents().heartbeat(agent.id(), heartbeat, running);
    if (stopped != null) {
      gantry.backend().agents().markStopped(agent.id(), stopped);
    }
    return agent;
  }

  private String explain(FlowRun run) {
    CliResult result = gantry("run", "explain", run.id());
    assertThat(result.exitCode()).as(result.err()).isZero();
    return result.out();
  }

  @Test
  void withNoCoveringAgentItNamesTheLabelsTheClosestAgentsLack() {
    Instant now = Instant.now();
    agent("s3-agent", Set.of("s3-flow-storage"), 0, 4, now, null);
    agent("other-agent", Set.of("other"), 0, 4, now, null);
    FlowRun run = run(Set.of("s3-flow-storage", "gpu"), now);

    String out = explain(run);

    assertThat(out.lines().findFirst().orElseThrow())
        .isEqualTo(
            "Run "
                + run.id()
                + " is due but no live agent takes it: it has labels gpu, s3-flow-storage.");
    assertThat(out)
        .contains("Closest live agents:")
        .contains("- s3-agent (labels s3-flow-storage) lacks gpu")
        .contains("- other-agent (labels other) lacks gpu, s3-flow-storage")
        .contains("gantry agent start local -l gpu -l s3-flow-storage");
    assertThat(out.indexOf("s3-agent")).as("closest first").isLessThan(out.indexOf("other-agent"));
  }

  @Test
  void agentsThatWouldTakeItButStoppedOrWentSilentAreNamed() {
    Instant now = Instant.now();
    agent("stopped-agent", Set.of("etl"), 0, 4, now.minusSeconds(20), now.minusSeconds(10));
    agent("silent-agent", Set.of("etl"), 0, 4, now.minus(Duration.ofMinutes(5)), null);
    FlowRun run = run(Set.of("etl"), now);

    String out = explain(run);

    assertThat(out)
        .contains("no live agent takes it")
        .contains("No agent is live")
        .contains("Agents that would take it but are not live:")
        .contains("- stopped-agent: stopped at")
        .contains("- silent-agent: last heartbeat")
        .contains("(5m ");
  }

  @Test
  void aRunWithoutLabelsNamesTheLabelsThatKeepAgentsAway() {
    agent("labelled", Set.of("team-a", "gpu"), 0, 4, Instant.now(), null);
    FlowRun run = run(Set.of(), Instant.now());

    String out = explain(run);

    assertThat(out)
        .contains("it has no labels, so only an agent without labels takes it.")
        .contains(
            "- labelled (labels gpu,team-a) has gpu, team-a, and a run without labels goes only"
                + " to agents without labels");
  }

  @Test
  void whenEveryMatchingAgentIsAtItsLimitItSaysSo() {
    Instant now = Instant.now();
    agent("busy-1", Set.of("etl"), 2, 2, now, null);
    agent("busy-2", Set.of("etl", "extra"), 4, 4, now, null);
    agent("elsewhere", Set.of("gpu"), 0, 4, now, null);
    FlowRun run = run(Set.of("etl"), now);

    String out = explain(run);

    assertThat(out.lines().findFirst().orElseThrow())
        .contains("is due and 2 live agents take its labels etl, but every one is at its limit:");
    assertThat(out)
        .contains("- busy-1 running 2/2")
        .contains("- busy-2 running 4/4")
        .doesNotContain("elsewhere");
  }

  @Test
  void aCoveringAgentWithAFreeSlotShouldClaimItAtItsNextPoll() {
    agent("ready", Set.of("etl"), 1, 4, Instant.now(), null);
    FlowRun run = run(Set.of("etl"), Instant.now());

    assertThat(explain(run))
        .contains("is due and agent ready takes its labels etl with a free slot (1/4 running)")
        .contains("next poll");
  }

  @Test
  void aRunWhoseFlowAsksMoreThanTheTakingAgentsPolicyNamesTheAgentTheSettingAndTheLimit() {
    RegisteredFlow big =
        gantry
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
    // The policy `gantry agent start docker --max-memory 1g` enforces and publishes.
    DockerAgentStartCommand start = new DockerAgentStartCommand();
    new CommandLine(start).parseArgs("--max-memory", "1g", "-l", "etl");
    Instant now = Instant.now();
    AgentInfo small =
        new AgentInfo(
            UUID.randomUUID().toString(),
            "small",
            "docker",
            "host-1",
            Set.of("etl"),
            4,
            0,
            now,
            now,
            null);
    gantry.backend().agents().register(small, start.policy.policy());
    FlowRun run =
        gantry.backend().runs().create(new NewRun(big.id(), Set.of("etl"), Map.of(), now));

    String refused = explain(run);
    agent("roomy", Set.of("etl"), 0, 4, Instant.now(), null);
    String claimable = explain(run);

    assertThat(refused.lines().toList())
        .containsExactly(
            "Run "
                + run.id()
                + " is due, but every live agent that takes its labels refuses what its flow asks"
                + " for (it would fail at launch):",
            "    - small: memory=2g (flow) is above this agent's --max-memory 1g",
            "  Register the flow without those settings, or start an agent whose policy allows"
                + " them.");
    assertThat(claimable.lines().toList())
        .startsWith(
            "Run "
                + run.id()
                + " is due and agent roomy takes its labels etl with a free slot (0/4 running):"
                + " it should be claimed at that agent's next poll.")
        .endsWith(
            "  These agents take its labels but refuse what its flow asks for:",
            "    - small: memory=2g (flow) is above this agent's --max-memory 1g");
  }

  @Test
  void aRunScheduledForLaterIsNotDueYet() {
    FlowRun run = run(Set.of("etl"), Instant.now().plus(Duration.ofHours(2)));

    assertThat(explain(run)).contains("not due yet").contains("in 1h 59m");
  }

  @Test
  void aClaimedRunIsNotWaitingForAnAgent() {
    AgentInfo ready = agent("ready", Set.of("etl"), 0, 4, Instant.now(), null);
    FlowRun run = run(Set.of("etl"), Instant.now());
    gantry.backend().runs().claimDue(ready.id(), Set.of("etl"), 1, Instant.now());

    assertThat(explain(run))
        .contains(
            "is Submitted (attempt 1, agent " + ready.id() + "): it is not waiting for an agent.");
  }

  @Test
  void registeringAFlowNoRecentAgentTakesPrintsAWarningLine() {
    agent("team-b-agent", Set.of(Local.hostName(), "team-b"), 0, 4, Instant.now(), null);

    CliResult uncovered =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--label",
            "team-a");
    CliResult covered =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Chatty#chatty",
            "--label",
            "team-b");

    assertThat(uncovered.exitCode()).isZero();
    assertThat(uncovered.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("warning: no agent seen in the last 10 minutes takes runs with labels ")
        .contains("team-a")
        .contains("closest: team-b-agent")
        .contains("lacks team-a")
        .contains("gantry agent start local -l ");
    assertThat(covered.exitCode()).isZero();
    assertThat(covered.err()).isEmpty();
  }
}
