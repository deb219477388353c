package dev.gantry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent process with its scheduler counts schedule fires on its health port's /metrics: a
 * schedule whose fires the flow refuses as failed, a good one as created, with no flow label.
 */
class ScheduleFiresMetricTest {
  @TempDir Path home;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theAgentsMetricsCountCreatedAndFailedFires() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home)) {
      gantry.client.backend().flows().register(scheduled("refused", null, true));
      gantry.client.backend().flows().register(scheduled("fine", "eu", false));
      try (AgentProcess agent =
          AgentProcess.start(
              gantry.client,
              gantry.launcher,
              // Labelled with the host: it never takes the schedule's unlabelled runs.
              LocalGantry.quickOptions("scheduler"),
              SecretSource.NONE,
              new AgentProcess.Settings(true, "127.0.0.1", 0, false))) {
        String url = "http://127.0.0.1:" + agent.healthPort() + "/metrics";
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> fires(get(url), "failed") >= 1 && fires(get(url), "created") >= 1);

        String scrape = get(url);
        assertThat(fires(scrape, "skipped")).as("registered before any fire is skipped").isZero();
        assertThat(scrape.lines().filter(l -> l.startsWith("gantry_schedule_fires_total")))
            .hasSize(3)
            .allSatisfy(line -> assertThat(line).doesNotContain("refused", "fine"));
        assertThat(gantry.client.backend().scheduleFires().failures())
            .singleElement()
            .satisfies(f -> assertThat(f.flowName()).isEqualTo("refused"));
      }
    }
  }

  private static double fires(String scrape, String result) {
    Matcher m =
        Pattern.compile(
                "^gantry_schedule_fires_total\\{result=\"" + result + "\"} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static NewFlowVersion scheduled(String name, String defaultValue, boolean required) {
    return new NewFlowVersion(
        name,
        BundleFormat.module,
        "module:com.acme.Flows#" + name,
        null,
        "com.acme.Flows#" + name,
        null,
        List.of(),
        Set.of(),
        List.of(new ParameterSpec("region", "String", defaultValue, required)),
        RunPolicy.DEFAULT,
        FlowSchedule.every(Duration.ofSeconds(1)));
  }
}
