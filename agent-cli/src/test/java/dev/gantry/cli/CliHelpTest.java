package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What every command offers: -V prints the version, and help names no field placeholder. */
class CliHelpTest {
  /** Picocli's default label for an option without paramLabel: the Java field's name. */
  private static final Pattern FIELD_PLACEHOLDER = Pattern.compile("=?<[a-z][A-Za-z0-9]*>");

  @Test
  void dashVPrintsTheVersionOnEveryCommand() {
    List<String> paths = paths();
    assertThat(paths).contains("flow run", "run explain", "agent start kubernetes");
    for (String path : paths) {
      for (String flag : List.of("-V", "--version")) {
        List<String> args = new ArrayList<>(List.of(path.split(" ")));
        args.add(flag);
        CliResult version = CliResult.run(args.toArray(String[]::new));
        assertThat(version.exitCode()).as(path + " " + flag).isZero();
        assertThat(version.out()).as(path + " " + flag).startsWith("gantry ").contains("(Java ");
      }
    }
  }

  @Test
  void helpShowsNoFieldNamePlaceholder() {
    List<String> found = new ArrayList<>();
    for (String path : paths()) {
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add("--help");
      CliResult help = CliResult.run(args.toArray(String[]::new));
      Matcher m = FIELD_PLACEHOLDER.matcher(help.out());
      while (m.find()) {
        found.add("gantry " + path + " " + m.group());
      }
    }
    assertThat(found).isEmpty();
  }

  private static List<String> paths() {
    List<String> paths = new ArrayList<>();
    collect(Gantry.commandLine(), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine cli, List<String> prefix, List<String> out) {
    for (var entry : cli.getSubcommands().entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(entry.getKey());
      out.add(String.join(" ", path));
      collect(entry.getValue(), path, out);
    }
  }
}
