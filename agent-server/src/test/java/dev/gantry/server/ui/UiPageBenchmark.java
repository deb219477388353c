package dev.gantry.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.domain.FlowRun;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.LocalGantry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (it asserts no timing): the run page with 1,000 tasks and 100,000 log lines
 * beside a small run (10 tasks, 100 lines) in the same browser, interleaved. Run with
 *
 * <pre>mvn -B -pl examples,agent-server -am test -Dtest=UiPageBenchmark
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dgantry.bench=ui</pre>
 *
 * and record the printed figures in docs/benchmarks.md.
 */
@EnabledIfSystemProperty(named = "gantry.bench", matches = "ui")
class UiPageBenchmark {
  @TempDir Path home;

  @Test
  void runPageWithManyTasksAndLines() throws Exception {
    UiBrowserTest.requireTools(); // as the browser test: npm ci when the packages are missing
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      FlowRun small = seeded(gantry, home, 10, 100);
      FlowRun large = seeded(gantry, home, 1_000, 100_000);
      String token =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("bench", Role.VIEWER, Duration.ofHours(1))
              .value();
      List<Map<String, Object>> runs =
          List.of(
              Map.of("label", "small", "id", small.id(), "tasks", 10, "lines", 100),
              Map.of("label", "large", "id", large.id(), "tasks", 1_000, "lines", 100_000));
      ProcessBuilder node =
          new ProcessBuilder("node", "bench.mjs")
              .directory(Path.of("src/test/ui").toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT);
      node.environment()
          .putAll(
              Map.of(
                  "GANTRY_UI_URL",
                  "http://127.0.0.1:" + server.port() + "/ui/",
                  "GANTRY_UI_TOKEN",
                  token,
                  "GANTRY_UI_BENCH_RUNS",
                  Json.mapper().writeValueAsString(runs)));
      Process process = node.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(20, TimeUnit.MINUTES)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      report(Json.mapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow()));
    }
  }

  private static void report(JsonNode results) {
    StringBuilder out = new StringBuilder("\nrun page in headless Chromium, median of rounds:\n");
    double[] small = medians(results.get("small"));
    double[] large = medians(results.get("large"));
    String[] names = {"interactive", "filter", "allLines"};
    for (int i = 0; i < names.length; i++) {
      out.append(
          String.format(
              "  %-12s small %8.0f ms   large %8.0f ms   ratio %6.1f%n",
              names[i], small[i], large[i], large[i] / Math.max(1, small[i])));
    }
    System.out.println(out);
  }

  private static double[] medians(JsonNode rounds) {
    String[] names = {"interactive", "filter", "allLines"};
    double[] medians = new double[names.length];
    for (int i = 0; i < names.length; i++) {
      List<Double> values = new ArrayList<>();
      for (JsonNode round : rounds) {
        values.add(round.get(names[i]).asDouble());
      }
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      medians[i] = sorted[sorted.length / 2];
      System.out.println(names[i] + " rounds: " + Arrays.toString(sorted));
    }
    return medians;
  }

  /** A finished run of chatty with {@code tasks} task rows and {@code lines} log rows. */
  private static FlowRun seeded(LocalGantry gantry, Path home, int tasks, int lines)
      throws Exception {
    FlowRun run = gantry.run("chatty", Map.of());
    Instant start = Instant.now().minusSeconds(3_600);
    try (Connection db = DriverManager.getConnection(JdbcBackend.embeddedUrl(home), "sa", "")) {
      db.setAutoCommit(false);
      try (PreparedStatement update =
          db.prepareStatement(
              "UPDATE flow_runs SET state = 'Success', attempt = 1, started_at = ?, ended_at = ?"
                  + " WHERE id = ?")) {
        update.setTimestamp(1, Timestamp.from(start));
        update.setTimestamp(2, Timestamp.from(start.plusSeconds(tasks)));
        update.setString(3, run.id());
        update.executeUpdate();
      }
      try (PreparedStatement task =
          db.prepareStatement(
              "INSERT INTO task_runs (run_id, attempt, task_name, report_seq, state,"
                  + " task_attempt, started_at, ended_at, updated_at) VALUES"
                  + " (?, 1, ?, ?, 'SUCCESS', 1, ?, ?, ?)")) {
        for (int i = 0; i < tasks; i++) {
          task.setString(1, run.id());
          task.setString(2, "task-" + i);
          task.setInt(3, i);
          task.setTimestamp(4, Timestamp.from(start.plusSeconds(i)));
          task.setTimestamp(5, Timestamp.from(start.plusSeconds(i + 1)));
          task.setTimestamp(6, Timestamp.from(start.plusSeconds(i + 1)));
          task.addBatch();
        }
        task.executeBatch();
      }
      try (PreparedStatement log =
          db.prepareStatement(
              "INSERT INTO run_logs (run_id, attempt, logged_at, level, source, task_name,"
                  + " message) VALUES (?, 1, ?, 'INFO', 'stdout', ?, ?)")) {
        for (int i = 1; i <= lines; i++) {
          log.setString(1, run.id());
          log.setTimestamp(2, Timestamp.from(start.plusMillis(i)));
          log.setString(3, "task-" + (i * tasks / (lines + 1)));
          log.setString(4, "line " + i + " of " + lines);
          log.addBatch();
          if (i % 10_000 == 0) {
            log.executeBatch();
          }
        }
        log.executeBatch();
      }
      db.commit();
    }
    return run;
  }
}
