package dev.gantry.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.schedule.FlowScheduler;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.NumberedFlow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in a real browser: the machine's headless Chromium, driven by playwright-core from npm
 * ({@code src/test/ui/ui.test.mjs}), against a real server on 127.0.0.1 with a local agent running
 * real child JVMs. The script's steps are the issue's: sign-in, a finished run on the overview,
 * live timeline and logs, a late run with its reason, a schedule that failed to fire (from a real
 * scheduler), cancel, roles, URL filters, an axe-core check of each page, and screenshots under
 * {@code target/ui-screenshots}.
 */
class UiBrowserTest {
  static final Path SCRIPTS = Path.of("src/test/ui");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path home;

  @Test
  void theUiWorksInARealBrowser() throws Exception {
    requireTools();
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
      NumberedFlow.register(
          gantry.client, home, 30, 400); // about 40 s of live lines, on a busy machine too
      gantry.startAgent(LocalGantry.quickOptions("ui"));
      JdbcBackend backend = (JdbcBackend) gantry.client.backend();
      backend.flows().register(refusedSchedule());
      FlowScheduler schedules =
          FlowScheduler.start(
              backend,
              backend.dataSource(),
              FlowScheduler.Options.defaults().withSyncInterval(Duration.ofMillis(300)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !backend.scheduleFires().failures().isEmpty());
      schedules.close(); // the failure stays recorded; no more fires while the browser looks

      FlowRun done = gantry.run("chatty", Map.of("lines", "20"));
      await().atMost(Duration.ofSeconds(60)).until(() -> stateOf(gantry, done) == RunState.Success);
      FlowRun late = gantry.client.createRun("chatty", Map.of(), Set.of("gpu-nowhere"));
      FlowRun streaming = gantry.run(NumberedFlow.NAME, Map.of());
      FlowRun sleepy = gantry.run("sleepy", Map.of("seconds", "120"));

      ApiTokens tokens = new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC());
      Map<String, String> values =
          Map.of(
              "viewer", tokens.create("ui-viewer", Role.VIEWER, Duration.ofHours(1)).value(),
              "operator", tokens.create("ui-operator", Role.OPERATOR, Duration.ofHours(1)).value(),
              "admin", tokens.create("ui-admin", Role.ADMIN, Duration.ofHours(1)).value());
      Map<String, String> runs =
          Map.of(
              "done", done.id(),
              "late", late.id(),
              "streaming", streaming.id(),
              "sleepy", sleepy.id());

      ProcessBuilder node =
          new ProcessBuilder("node", "ui.test.mjs")
              .directory(SCRIPTS.toFile())
              .redirectErrorStream(true);
      node.environment()
          .putAll(
              Map.of(
                  "GANTRY_UI_URL", "http://127.0.0.1:" + server.port() + "/ui/",
                  "GANTRY_UI_SCREENSHOTS",
                      Path.of("target/ui-screenshots").toAbsolutePath().toString(),
                  "GANTRY_UI_RUNS", Json.mapper().writeValueAsString(runs),
                  "GANTRY_UI_TOKENS", Json.mapper().writeValueAsString(values),
                  "GANTRY_UI_LINK",
                      "http://127.0.0.1:"
                          + server.port()
                          + "/"
                          + server.signInLink(values.get("admin"))));
      Process process = node.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = process.waitFor(5, TimeUnit.MINUTES);
      System.out.println(output);
      assertThat(exited).as("the browser script ended").isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).doesNotContain(values.values().toArray(String[]::new));
      assertThat(stateOf(gantry, sleepy)).isEqualTo(RunState.Cancelled);
      assertThat(stateOf(gantry, late)).isEqualTo(RunState.Scheduled);
    }
  }

  /**
   * A schedule whose every fire its flow refuses: a required parameter without a default (which
   * registration refuses today; a version stored before that rule still has one).
   */
  private static NewFlowVersion refusedSchedule() {
    return new NewFlowVersion(
        "nightly-report",
        BundleFormat.module,
        "module:com.acme.Flows#nightly",
        null,
        "com.acme.Flows#nightly",
        null,
        List.of(),
        Set.of(),
        List.of(new ParameterSpec("region", "String", null, true)),
        RunPolicy.DEFAULT,
        FlowSchedule.every(Duration.ofSeconds(1)));
  }

  private static RunState stateOf(LocalGantry gantry, FlowRun run) {
    return gantry.client.run(run.id()).state();
  }

  /**
   * Node, the playwright-core and axe-core packages, and Chromium. Missing ones skip the test on a
   * laptop and fail it in CI, where {@code .ci/run} installs them.
   */
  static void requireTools() throws IOException, InterruptedException {
    String missing = null;
    if (!Files.isExecutable(CHROMIUM)) {
      missing = "Chromium (" + CHROMIUM + "; Debian package chromium)";
    } else if (!commandWorks(List.of("node", "--version"))) {
      missing = "Node.js (node on the PATH)";
    } else if (!Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))
        && !commandWorks(
            List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", SCRIPTS.toString()))) {
      missing = "the test's npm packages (npm ci --prefix agent-server/src/test/ui)";
    }
    if (missing != null) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("the browser test needs " + missing);
      }
      Assumptions.abort("the browser test needs " + missing);
    }
  }

  private static boolean commandWorks(List<String> command)
      throws IOException, InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
