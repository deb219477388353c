package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.domain.RunState;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote CLI end to end: flows registered through a real {@code gantry server}, a real local
 * agent running their runs in child JVMs, {@code --watch} and {@code run logs --follow} reading the
 * run's event stream over HTTP, {@code run cancel} through the server; and the one-line errors of a
 * missing, wrong or underprivileged token and of a server that is not there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteCliEndToEndTest {
  private static final Pattern RUN_ID = Pattern.compile("Created run ([0-9a-f-]{36})");

  @TempDir static Path home;
  private RemoteGantry gantry;
  private String deployer;
  private String viewer;

  @BeforeAll
  void start() {
    gantry = RemoteGantry.start(home, "h2");
    gantry.local.startAgent(LocalGantry.quickOptions("remote-cli-test"));
    deployer = gantry.token("e2e-deployer", Role.DEPLOYER);
    viewer = gantry.token("e2e-viewer", Role.VIEWER);
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
  }

  private CliResult api(String... args) {
    return gantry.api(deployer, args);
  }

  private static String runId(CliResult created) {
    Matcher m = RUN_ID.matcher(created.out());
    assertThat(m.find()).as(created.out() + created.err()).isTrue();
    return m.group(1);
  }

  private CliResult register(String factory) {
    CliResult registered =
        api("flow", "register", "--jar", ExamplesJar.path().toString(), "--factory", factory);
    assertThat(registered.exitCode()).as(registered.err()).isZero();
    return registered;
  }

  @Test
  void aFlowRegisteredThroughTheServerRunsToSuccessWatchedOverItsEventStream() {
    CliResult registered = register("dev.gantry.examples.Greeting#greeting");
    assertThat(registered.out()).startsWith("Registered flow greeting version");
    assertThat(registered.err()).as("an agent covers it: no warning").isEmpty();

    CliResult run = api("flow", "run", "greeting", "--param", "name=Ada", "--watch");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("state Scheduled")
        .contains("state Running")
        .contains("[greet stdout] Hello, Ada!")
        .contains("ended Success");
    String id = runId(run);
    // what was watched live is what the database holds (the watcher orders lines by time)
    CliResult logs = gantry.db("run", "logs", id);
    assertThat(run.out().lines().filter(l -> logs.out().contains(l)).toList())
        .containsExactlyInAnyOrderElementsOf(logs.out().lines().toList());
    // following over the event stream prints what following the database prints
    assertThat(api("run", "logs", id, "--follow").out())
        .isEqualTo(gantry.db("run", "logs", id, "--follow").out());
    assertThat(api("run", "show", id).out()).isEqualTo(gantry.db("run", "show", id).out());
    assertThat(api("run", "logs", id).out()).isEqualTo(logs.out());
  }

  @Test
  void aFailingRunWatchedRemotelyExitsNonZeroWithItsReason() {
    register("dev.gantry.examples.Failing#failing");

    CliResult run = api("flow", "run", "failing", "--watch");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("ended Failed").contains("the warehouse is on fire");
  }

  @Test
  void logsFollowStreamsARunningRunAndEndsWhenItIsCancelledThroughTheServer() {
    register("dev.gantry.examples.Sleepy#sleepy");
    String id = runId(api("flow", "run", "sleepy", "-p", "seconds=60"));

    CompletableFuture<CliResult> follow =
        CompletableFuture.supplyAsync(() -> api("run", "logs", id, "--follow"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> gantry.db("run", "logs", id).out().contains("napping 60 s"));

    CliResult cancel = api("run", "cancel", id);
    assertThat(cancel.out()).contains("Run " + id + " cancelling: its agent is stopping it");
    gantry.local.awaitEnd(id, Duration.ofSeconds(60));

    CliResult followed = follow.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(followed.exitCode()).as(followed.err()).isZero();
    assertThat(followed.out()).contains("napping 60 s");
    assertThat(followed.out()).isEqualTo(gantry.db("run", "logs", id).out());
    assertThat(gantry.local.find(id).state()).isEqualTo(RunState.Cancelled);
  }

  @Test
  void aMissingWrongOrUnderprivilegedTokenIsAOneLineErrorThatNeverShowsTheToken() {
    CliResult none = gantry.api(null, "run", "list");
    assertOneLine(none, "no API token for the Gantry server; set GANTRY_API_TOKEN or --token");

    String wrong = "gty_" + "x".repeat(40);
    CliResult refused = gantry.api(wrong, "run", "list");
    assertOneLine(refused, "the Gantry server at " + gantry.url() + " refused the token");

    register("dev.gantry.examples.Etl#etl");
    CliResult forbidden = gantry.api(viewer, "flow", "run", "etl");
    assertOneLine(forbidden, "token 'e2e-viewer' has role viewer");
    assertThat(forbidden.err()).contains("GANTRY_API_TOKEN or --token");
    assertThat(gantry.api(viewer, "flow", "list").out()).contains("etl");

    assertOneLine(
        gantry.api(deployer, "run", "list", "--db=jdbc:h2:mem:x"),
        "--api and --db exclude each other");
    assertThat(gantry.allPrinted())
        .doesNotContain(wrong)
        .doesNotContain(deployer)
        .doesNotContain(viewer);
  }

  @Test
  void aServerThatIsNotThereIsAOneLineErrorNamingItsUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // free once closed: nothing listens there
    }
    String url = "http://127.0.0.1:" + port;
    CliResult result = CliResult.run("run", "list", "--api=" + url, "--token=" + deployer);
    assertOneLine(result, "cannot reach the Gantry server at " + url + " (connection refused)");
    assertThat(result.err()).doesNotContain(deployer);

    CliResult bad = CliResult.run("run", "list", "--api=ftp://host", "--token=" + deployer);
    assertOneLine(bad, "'ftp://host' is not an http(s)://HOST[:PORT] address");
  }

  private static void assertOneLine(CliResult result, String expected) {
    assertThat(result.exitCode()).as(result.out()).isNotZero();
    assertThat(result.err().strip()).startsWith("error: ").contains(expected).doesNotContain("\n");
  }
}
