package dev.gantry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.server.GantryServer;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a real agent's health port and a real server on
 * 127.0.0.1 while flows succeed, fail and wait late; its HTTP API must then show the counters and
 * histogram buckets moved, and promtool must accept a scrape and the shipped alert rules.
 */
class PrometheusScrapeTest {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Path ALERTS = Path.of("../deploy/prometheus/alerts.yaml");
  private static final Path DASHBOARD = Path.of("../deploy/grafana/gantry-dashboard.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path data;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void prometheusSeesRunsSucceedFailAndWaitLate() throws Exception {
    requirePrometheus();
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      gantry.registerExample("dev.gantry.examples.Etl#etl");
      gantry.registerExample("dev.gantry.examples.Failing#failing");
      AgentProcess agent =
          AgentProcess.start(
              gantry.client,
              gantry.launcher,
              LocalGantry.quickOptions("prometheus"),
              SecretSource.NONE,
              new AgentProcess.Settings(false, "127.0.0.1", 0, false));
      try (agent) {
        List<FlowRun> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          runs.add(gantry.run("etl", Map.of("rows", "5")));
        }
        runs.add(gantry.run("failing", Map.of()));
        FlowRun late = gantry.client.createRun("etl", Map.of(), Set.of("gpu-nowhere"));
        dueLongAgo(late);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> runs.stream().allMatch(r -> stateOf(gantry, r).isTerminal()));
        assertThat(stateOf(gantry, runs.get(3))).isEqualTo(RunState.Failed);

        String agentScrape = get("http://127.0.0.1:" + agent.healthPort() + "/metrics");
        // Gantry's own series; Micrometer's JVM binders carry two names promtool's linter dislikes.
        String gantrySeries =
            agentScrape
                .lines()
                .filter(line -> line.matches("(# (HELP|TYPE) )?gantry_.*"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        assertThat(gantrySeries).contains("gantry_runs_finished_total");
        assertThat(promtool(gantrySeries, "check", "metrics"))
            .as("promtool check metrics")
            .isZero();

        Process prometheus = startPrometheus(agent.healthPort(), server.port());
        try {
          int port = prometheusPort;
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofSeconds(1))
              .untilAsserted(
                  () -> {
                    assertThat(value(port, "sum(gantry_runs_finished_total{state=\"success\"})"))
                        .isEqualTo(3);
                    assertThat(value(port, "sum(gantry_runs_finished_total{state=\"failed\"})"))
                        .isEqualTo(1);
                    assertThat(value(port, "sum(gantry_run_schedule_to_start_seconds_count)"))
                        .isEqualTo(4);
                    assertThat(
                            value(
                                port,
                                "sum(gantry_run_launch_seconds_bucket{outcome=\"launched\","
                                    + "le=\"+Inf\"})"))
                        .isEqualTo(4);
                    assertThat(value(port, "max(gantry_runs{state=\"late\"})")).isEqualTo(1);
                    assertThat(value(port, "max(gantry_runs_oldest_late_age_seconds)"))
                        .isGreaterThan(240);
                    assertThat(value(port, "sum(gantry_agent_polls_total{result=\"claimed\"})"))
                        .isGreaterThanOrEqualTo(1);
                    assertThat(
                            value(
                                port,
                                "sum(gantry_http_server_requests_seconds_count{job=\"server\"})"))
                        .isGreaterThanOrEqualTo(1);
                    assertThat(value(port, "count(up == 1)")).isEqualTo(2);
                    assertThat(value(port, "max(gantry_agents{health=\"healthy\"})"))
                        .isGreaterThanOrEqualTo(1);
                    assertThat(value(port, "sum(gantry_agent_report_buffer)")).isZero();
                  });
          // The shipped alert rules load and evaluate, and every dashboard query parses and runs.
          JsonNode groups =
              JSON.readTree(get("http://127.0.0.1:" + port + "/api/v1/rules"))
                  .path("data")
                  .path("groups");
          assertThat(groups.findValues("health"))
              .isNotEmpty()
              .allMatch(h -> h.asText().equals("ok"));
          for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
              String expr = target.path("expr").asText();
              String body =
                  get(
                      "http://127.0.0.1:"
                          + port
                          + "/api/v1/query?query="
                          + URLEncoder.encode(expr, StandardCharsets.UTF_8));
              assertThat(JSON.readTree(body).path("status").asText()).as(expr).isEqualTo("success");
            }
          }
        } finally {
          prometheus.destroy();
          prometheus.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void theShippedAlertRulesPassPromtool() throws Exception {
    requirePrometheus();
    assertThat(promtool(null, "check", "rules", ALERTS.toAbsolutePath().toString())).isZero();
  }

  private int prometheusPort;

  private Process startPrometheus(int agentPort, int serverPort) throws IOException {
    prometheusPort = freePort();
    Path config = data.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: agent
            static_configs:
              - targets: ['127.0.0.1:%d']
          - job_name: server
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(ALERTS.toAbsolutePath(), agentPort, serverPort));
    return new ProcessBuilder(
            PROMETHEUS.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + data.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true)
        .redirectOutput(data.resolve("prometheus.log").toFile())
        .start();
  }

  private double value(int port, String query) throws Exception {
    String body =
        get(
            "http://127.0.0.1:"
                + port
                + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
    JsonNode result = JSON.readTree(body).path("data").path("result");
    if (result.isEmpty()) {
      return Double.NaN;
    }
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  private String get(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  private static int promtool(String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);
    if (process.exitValue() != 0) {
      System.out.println(output);
    }
    return process.exitValue();
  }

  private void dueLongAgo(FlowRun run) throws Exception {
    try (Connection db =
            DriverManager.getConnection(
                dev.gantry.backend.jdbc.JdbcBackend.embeddedUrl(home), "sa", "");
        PreparedStatement update =
            db.prepareStatement("UPDATE flow_runs SET scheduled_at = ? WHERE id = ?")) {
      update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(300)));
      update.setString(2, run.id());
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  private static RunState stateOf(LocalGantry gantry, FlowRun run) {
    return gantry.client.run(run.id()).state();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void requirePrometheus() {
    if (!Files.isExecutable(PROMETHEUS) || !Files.isExecutable(PROMTOOL)) {
      String missing = "Prometheus and promtool (Debian package prometheus)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("this test needs " + missing);
      }
      Assumptions.abort("this test needs " + missing);
    }
  }
}
