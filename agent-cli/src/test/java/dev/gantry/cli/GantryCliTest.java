package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.RunState;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The gantry command as users type it, against a real home and a real local agent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GantryCliTest {
  private static final Pattern RUN_ID = Pattern.compile("Created run ([0-9a-f-]{36})");

  @TempDir static Path home;
  private LocalGantry gantry;
  private Agent agent;

  @BeforeAll
  void startAgent() {
    gantry = new LocalGantry(home);
    agent = gantry.startAgent(LocalGantry.quickOptions("cli-test"));
  }

  @AfterAll
  void stop() {
    gantry.close();
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  @Test
  void everyCommandHasHelp() {
    List<String> paths = new ArrayList<>();
    collect(Gantry.commandLine(), new ArrayList<>(), paths);
    assertThat(paths).contains("flow register", "run show", "agent start local", "demo");
    for (String path : paths) {
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add("--help");
      CliResult help = CliResult.run(args.toArray(String[]::new));
      assertThat(help.exitCode()).as(path).isZero();
      assertThat(help.out()).as(path).contains("Usage: gantry " + path);
    }
  }

  private static void collect(CommandLine cli, List<String> prefix, List<String> out) {
    for (var entry : cli.getSubcommands().entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(entry.getKey());
      out.add(String.join(" ", path));
      collect(entry.getValue(), path, out);
    }
  }

  @Test
  void registerListRunShowAndLogsAFlow() {
    CliResult register =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Greeting#greeting",
            "--label",
            "team-a");
    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(register.out()).contains("Registered flow greeting version 1 (serialized)");

    CliResult list = gantry("flow", "list");
    assertThat(list.out()).contains("greeting").contains("team-a (registration)");

    // the agent lacks team-a: give the run labels it has by registering without that label
    gantry(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Greeting#greeting");
    CliResult run = gantry("flow", "run", "greeting", "--param", "name=Ada", "--watch");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("state Running")
        .contains("Hello, Ada!")
        .contains("ended Success");
    String runId = runId(run);

    CliResult show = gantry("run", "show", runId.substring(0, 8));
    assertThat(show.out())
        .contains(runId)
        .contains("greeting v2")
        .contains("(storage)")
        .contains("Success")
        .contains("greet")
        .contains("SUCCESS");

    CliResult logs = gantry("run", "logs", runId);
    assertThat(logs.out()).contains("[greet stdout] Hello, Ada!");

    CliResult runs = gantry("run", "list", "--flow", "greeting");
    assertThat(runs.out()).contains(runId).contains("Success");
  }

  @Test
  void aRunOfAFailingFlowExitsNonZeroWithTheReason() {
    gantry(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Failing#failing");

    CliResult run = gantry("flow", "run", "failing", "--watch");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("ended Failed").contains("the warehouse is on fire");
  }

  @Test
  void badInputGetsOneLineErrors() {
    assertOneLineError(gantry("flow", "run", "nope"), "no flow named 'nope'");
    assertOneLineError(
        gantry(
            "flow",
            "register",
            "--jar",
            home.resolve("missing.jar").toString(),
            "--factory",
            "a.B#c"),
        "missing.jar does not exist");
    assertOneLineError(
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Nope#flow"),
        "dev.gantry.examples.Nope");
    assertOneLineError(
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Etl"),
        "CLASS#METHOD");
    gantry(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Etl#etl");
    assertOneLineError(gantry("flow", "run", "etl", "--param", "rows"), "NAME=VALUE");
    assertOneLineError(gantry("flow", "run", "etl", "--param", "rows=ten"), "expects Integer");
    assertOneLineError(gantry("run", "show", "00000000-dead"), "no run with id");
  }

  private static void assertOneLineError(CliResult result, String expected) {
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.err().strip()).startsWith("error: ").contains(expected).doesNotContain("\n");
  }

  @Test
  void cancelOfAScheduledRunEndsItAtOnce() {
    gantry(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Sleepy#sleepy",
        "--label",
        "nobody-has-this");
    String runId = runId(gantry("flow", "run", "sleepy"));

    CliResult cancel = gantry("run", "cancel", runId);

    assertThat(cancel.out()).contains("cancelled");
    assertThat(gantry.find(runId).state()).isEqualTo(RunState.Cancelled);
  }

  @Test
  void agentListShowsTheRunningAgentAndItsLabels() {
    CliResult list = gantry("agent", "list");

    assertThat(list.out())
        .contains("cli-test")
        .contains("local")
        .contains("alive")
        .contains(agent.id());
  }

  @Test
  void agentListShowsNoRunCountForAgentsThatAreGone() {
    Instant longAgo = Instant.now().minus(Duration.ofHours(1));
    gantry
        .client
        .backend()
        .agents()
        .register(
            new AgentInfo(
                "dead-agent-id",
                "killed",
                "local",
                "host-1",
                Set.of(),
                4,
                3,
                longAgo,
                longAgo,
                null));
    gantry
        .client
        .backend()
        .agents()
        .register(
            new AgentInfo(
                "stopped-agent-id",
                "stopped",
                "local",
                "host-1",
                Set.of(),
                4,
                0,
                longAgo,
                longAgo,
                null));
    gantry.client.backend().agents().heartbeat("stopped-agent-id", longAgo, 2);
    gantry.client.backend().agents().markStopped("stopped-agent-id", longAgo);

    String out = gantry("agent", "list").out();

    assertThat(rowOf(out, "dead-agent-id")).contains("-/4").contains("stale").doesNotContain("3/4");
    assertThat(rowOf(out, "stopped-agent-id")).contains("-/4").contains("stopped");
    assertThat(gantry.client.backend().agents().find("stopped-agent-id").orElseThrow().running())
        .isZero();
    assertThat(rowOf(out, agent.id())).contains("alive").containsPattern(" [0-9]+/");
  }

  private static String rowOf(String table, String id) {
    return table.lines().filter(l -> l.contains(id)).findFirst().orElseThrow();
  }

  private static String runId(CliResult result) {
    Matcher m = RUN_ID.matcher(result.out());
    assertThat(m.find()).as(result.out() + result.err()).isTrue();
    return m.group(1);
  }
}
