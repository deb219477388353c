package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registering schedules, limits and retry budgets, and pausing schedules, as users type it. */
class FlowScheduleCommandTest {
  @TempDir Path home;

  @Test
  void aScheduleComesFromTheFlowOrTheCommandLineAndCanBePausedAndResumed() {
    CliResult nightly = register("dev.gantry.examples.Nightly#nightly");
    CliResult etl =
        register(
            "dev.gantry.examples.Etl#etl",
            "--interval=15m",
            "--concurrency-limit=2",
            "--when-limited=cancel",
            "--infrastructure-retries=3");

    assertThat(nightly.exitCode()).as(nightly.err()).isZero();
    assertThat(nightly.out()).contains("schedule: cron \"0 0 2 * * ?\" (UTC)");
    assertThat(etl.exitCode()).as(etl.err()).isZero();
    assertThat(etl.out())
        .contains("schedule: every PT15M")
        .contains("limit:    2 active runs, excess runs cancel")
        .contains("infrastructure retries: 3");
    RegisteredFlow stored = latest("etl");
    assertThat(stored.schedule()).isEqualTo(FlowSchedule.every(Duration.ofMinutes(15)));
    assertThat(stored.policy()).isEqualTo(new RunPolicy(3, 2, WhenLimited.cancel));

    assertThat(gantry("flow", "schedule", "pause", "nightly").out())
        .contains("Schedule of flow nightly paused");
    assertThat(gantry("flow", "schedule", "list").out())
        .containsPattern("etl\\s+1\\s+every PT15M\\s+active")
        .containsPattern("nightly\\s+1\\s+cron \"0 0 2 \\* \\* \\?\" \\(UTC\\)\\s+paused");
    assertThat(gantry("flow", "schedule", "resume", "nightly").out())
        .contains("Schedule of flow nightly resumed");
    assertThat(gantry("flow", "schedule", "list").out())
        .containsPattern("nightly\\s+1\\s+cron \"0 0 2 \\* \\* \\?\" \\(UTC\\)\\s+active");
  }

  @Test
  void mistakesAreRefusedWithTheReason() {
    register("dev.gantry.examples.Sleepy#sleepy");

    assertError(
        register("dev.gantry.examples.Etl#etl", "--cron=every day"),
        "invalid cron expression 'every day'");
    assertError(
        register("dev.gantry.examples.Etl#etl", "--cron=0 * * * * ?", "--interval=1m"),
        "--cron and --interval exclude each other");
    assertError(
        register("dev.gantry.examples.Etl#etl", "--when-limited=cancel"),
        "--when-limited needs --concurrency-limit");
    assertError(
        register("dev.gantry.examples.Etl#etl", "--concurrency-limit=2", "--when-limited=drop"),
        "use wait or cancel");
    assertError(
        register("dev.gantry.examples.Greeting#greeting", "--interval=1m"),
        "parameter 'name' is required");
    assertError(gantry("flow", "schedule", "pause", "sleepy"), "flow 'sleepy' has no schedule");
    assertError(gantry("flow", "schedule", "resume", "nothing"), "no flow named 'nothing'");
    assertThat(gantry("flow", "list").out()).doesNotContain("etl").doesNotContain("greeting");
  }

  private static void assertError(CliResult result, String reason) {
    assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
    assertThat(result.err()).contains(reason);
  }

  private CliResult register(String factory, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "flow", "register", "--jar", ExamplesJar.path().toString(), "--factory", factory));
    args.addAll(List.of(options));
    return gantry(args.toArray(String[]::new));
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  private RegisteredFlow latest(String name) {
    try (GantryClient client = GantryClient.open(new GantryHome(home), null)) {
      return client.flow(name);
    }
  }
}
