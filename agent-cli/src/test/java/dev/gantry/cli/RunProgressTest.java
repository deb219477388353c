package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.server.auth.Role;
import dev.gantry.server.client.ApiGantryClient;
import dev.gantry.testing.LocalGantry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following a run on a terminal (forced here) draws the tasks' progress under the plain lines and
 * leaves the final progress as the last line; what the terminal shows is otherwise exactly the
 * plain output; over the database (polling) and over a real server (its event stream). Real home,
 * real local agent, real child JVMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunProgressTest {
  @TempDir static Path home;
  private RemoteGantry remote;
  private LocalGantry gantry;
  private String viewer;

  @BeforeAll
  void startAgent() {
    remote = RemoteGantry.start(home, "h2");
    gantry = remote.local;
    gantry.startAgent(LocalGantry.quickOptions("progress-test"));
    gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
    viewer = remote.token("progress-viewer", Role.VIEWER);
  }

  @AfterAll
  void stop() {
    remote.close();
  }

  @Test
  void onATerminalTheProgressLineIsRedrawnAndStaysAsTheLastLineAboveThePlainOutput()
      throws Exception {
    terminalShowsProgressAboveThePlainLines(gantry.client);
  }

  @Test
  void overTheServersEventStreamTheTerminalShowsTheSameProgress() throws Exception {
    try (GantryClient api = ApiGantryClient.connect(remote.url(), viewer)) {
      terminalShowsProgressAboveThePlainLines(api);
    }
  }

  private void terminalShowsProgressAboveThePlainLines(GantryClient client) throws Exception {
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "2"));
    StringWriter tty = new StringWriter();
    PrintWriter terminal = new PrintWriter(tty);

    RunState end =
        new RunWatcher(client, terminal, true, true, new StatusLine(terminal, 200))
            .follow(run.id());

    assertThat(end).isEqualTo(RunState.Success);
    String written = tty.toString();
    // while nap slept, the status said so, in place (after a carriage return, not on a new line)
    assertThat(written).containsPattern("\r0/1 tasks done · running: nap · 00:0[0-9]");
    List<String> shown = shownByATerminal(written);
    assertThat(shown.get(shown.size() - 1)).matches("1/1 tasks done · 00:0[0-9]");

    StringWriter plain = new StringWriter();
    new RunWatcher(client, new PrintWriter(plain), true, true, null).follow(run.id());
    assertThat(plain.toString()).doesNotContain("\r").doesNotContain("tasks done");
    List<String> expected = new ArrayList<>(lines(plain.toString()));
    expected.add(shown.get(shown.size() - 1));
    assertThat(shown).containsExactlyElementsOf(expected);
  }

  @Test
  void runShowFollowOutsideATerminalPrintsThePlainLinesThenTheTasks() {
    FlowRun run = gantry.run("sleepy", Map.of("seconds", "1"));

    CliResult show = CliResult.run("run", "show", run.id(), "--follow", "--home=" + home);

    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out())
        .doesNotContain("\r")
        .doesNotContain("tasks done")
        .contains("Run        " + run.id())
        .contains("state Running")
        .contains("napping 1 s")
        .contains("state Success")
        .containsPattern("nap +SUCCESS");
    assertThat(show.out().indexOf("state Success")).isLessThan(show.out().indexOf("TASK"));
  }

  /** Each line as a terminal leaves it: what follows the last carriage return. */
  private static List<String> shownByATerminal(String written) {
    return lines(written).stream().map(l -> l.substring(l.lastIndexOf('\r') + 1)).toList();
  }

  private static List<String> lines(String text) {
    return Arrays.stream(text.split(System.lineSeparator(), -1)).filter(l -> !l.isEmpty()).toList();
  }
}
