package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every user command run against the database and against a real {@code gantry server} over the
 * same database prints the same thing and fails with the same one-line error, on H2 and PostgreSQL.
 * No agent runs here, so nothing moves between the two calls of a pair.
 */
class RemoteCliParityTest {
  private static final Pattern RUN_ID = Pattern.compile("Created run ([0-9a-f-]{36})");

  @TempDir Path home;
  private RemoteGantry gantry;
  private String token;

  @AfterEach
  void close() {
    if (gantry != null) {
      gantry.close();
    }
  }

  private void start(String database) {
    gantry = RemoteGantry.start(home, database);
    token = gantry.token("parity-admin", Role.ADMIN);
  }

  /** The same command both ways: the same exit code, output and errors. */
  private CliResult same(String... args) {
    CliResult direct = gantry.db(args);
    CliResult remote = gantry.api(token, args);
    assertThat(remote.out()).as(String.join(" ", args) + " output").isEqualTo(direct.out());
    assertThat(remote.err()).as(String.join(" ", args) + " errors").isEqualTo(direct.err());
    assertThat(remote.exitCode()).as(String.join(" ", args) + " exit").isEqualTo(direct.exitCode());
    return remote;
  }

  /** Register's output without what differs between two versions: number, place, digest. */
  private static String withoutVersion(String registered) {
    return registered
        .lines()
        .filter(l -> !l.startsWith("  location:") && !l.startsWith("  sha256:"))
        .map(l -> l.replaceAll("version \\d+", "version N"))
        .toList()
        .toString();
  }

  private static String runId(CliResult created) {
    Matcher m = RUN_ID.matcher(created.out());
    assertThat(m.find()).as(created.out() + created.err()).isTrue();
    return m.group(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void readsGiveTheSameOutputBothWays(String database) {
    start(database);
    same("flow", "list");
    same("run", "list");
    same("agent", "list");
    same("secret", "list");
    same("flow", "schedule", "list");

    String jar = ExamplesJar.path().toString();
    String[] register = {
      "flow", "register", "--jar", jar, "--factory", "dev.gantry.examples.Greeting#greeting"
    };
    CliResult direct = gantry.db(register);
    CliResult remote = gantry.api(token, register);
    assertThat(direct.exitCode()).as(direct.err()).isZero();
    assertThat(remote.exitCode()).as(remote.err()).isZero();
    assertThat(withoutVersion(remote.out())).isEqualTo(withoutVersion(direct.out()));
    // no agent runs: both warn that none could take the flow's runs, in the same words
    assertThat(direct.err()).isNotBlank();
    assertThat(remote.err()).isEqualTo(direct.err());

    CliResult scheduled =
        gantry.api(
            token,
            "flow",
            "register",
            "--jar",
            jar,
            "--factory",
            "dev.gantry.examples.Sleepy#sleepy",
            "--label",
            "team-a",
            "--interval",
            "90m",
            "--concurrency-limit",
            "2");
    assertThat(scheduled.out())
        .as(scheduled.err())
        .startsWith("Registered flow sleepy version 1 (serialized)")
        .contains("team-a (registration)")
        .contains("schedule: every PT1H30M")
        .contains("limit:    2 active runs, excess runs wait");

    same("flow", "list");
    same("flow", "list", "--all-versions");
    same("flow", "schedule", "list");
    assertThat(gantry.api(token, "flow", "schedule", "pause", "sleepy").out())
        .isEqualTo("Schedule of flow sleepy paused\n".replace("\n", System.lineSeparator()));
    same("flow", "schedule", "list");
    gantry.api(token, "flow", "schedule", "resume", "sleepy");
    same("flow", "schedule", "list");

    String first = runId(gantry.api(token, "flow", "run", "greeting", "-p", "name=Ada"));
    CliResult two =
        gantry.api(
            token, "flow", "run", "greeting", "--count", "2", "-l", "extra", "-p", "name=Bo");
    assertThat(two.out().lines().toList())
        .hasSize(2)
        .allMatch(l -> l.matches("Created run \\S+ of flow greeting v2, labels .*extra.*"));
    gantry.db("flow", "run", "greeting", "--flow-version", "1", "-p", "name=Cy");

    same("run", "list");
    same("run", "list", "--flow", "greeting", "--state", "Scheduled", "--limit", "2");
    same("run", "show", first);
    same("run", "show", first.substring(0, 8));
    same("run", "logs", first);
    same("run", "explain", first);
    same("run", "explain", first, "--stale-after", "5s");

    assertThat(gantry.api(token, "run", "cancel", first).out()).contains("cancelled");
    same("run", "cancel", first); // already ended Cancelled; nothing to cancel
    same("run", "show", first);

    CliResult set = gantry.api(token, "secret", "set", "API_KEY", "--value", "s3cr3t-v4lue");
    assertThat(set.exitCode()).as(set.err()).isZero();
    assertThat(set.out()).startsWith("Secret API_KEY set (encrypted by the server at ");
    same("secret", "list");
    assertThat(gantry.api(token, "secret", "delete", "API_KEY").out())
        .startsWith("Secret API_KEY deleted");
    same("secret", "list");
    assertThat(gantry.allPrinted()).doesNotContain("s3cr3t-v4lue").doesNotContain(token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void mistakesGiveTheSameOneLineErrorsBothWays(String database) {
    start(database);
    gantry.db(
        "flow",
        "register",
        "--jar",
        ExamplesJar.path().toString(),
        "--factory",
        "dev.gantry.examples.Etl#etl");
    String jar = ExamplesJar.path().toString();
    for (List<String> args :
        List.of(
            List.of(
                "flow",
                "register",
                "--jar",
                home.resolve("missing.jar").toString(),
                "--factory",
                "a.B#c"),
            List.of("flow", "register", "--jar", jar, "--factory", "dev.gantry.examples.Nope#flow"),
            List.of("flow", "register", "--jar", jar, "--factory", "dev.gantry.examples.Etl"),
            List.of(
                "flow",
                "register",
                "--jar",
                jar,
                "--factory",
                "dev.gantry.examples.Greeting#greeting",
                "--interval",
                "1h"),
            List.of("flow", "run", "etl", "--flow-version", "7"),
            List.of("flow", "run", "nope"),
            List.of("flow", "run", "etl", "--param", "rows=ten"),
            List.of("flow", "run", "etl", "--param", "nosuch=1"),
            List.of("flow", "run", "etl", "--param", "rows"),
            List.of("flow", "run", "etl", "--count", "0"),
            List.of("run", "show", "00000000-dead"),
            List.of("run", "show", "xyz"),
            List.of("run", "logs", "00000000-dead"),
            List.of("run", "cancel", "00000000-dead"),
            List.of("run", "explain", "00000000-dead"),
            List.of("secret", "delete", "NOPE"),
            List.of("secret", "set", "bad name", "--value", "v"),
            List.of("flow", "schedule", "pause", "etl"),
            List.of("flow", "schedule", "resume", "nope"))) {
      CliResult remote = same(args.toArray(String[]::new));
      assertThat(remote.exitCode()).as(String.join(" ", args)).isNotZero();
      assertThat(remote.err().strip())
          .as(String.join(" ", args))
          .startsWith("error: ")
          .doesNotContain("\n");
    }
    assertThat(gantry.allPrinted()).doesNotContain(token);
  }
}
