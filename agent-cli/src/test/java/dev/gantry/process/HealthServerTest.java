package dev.gantry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthServerTest {
  @TempDir Path home;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void readyOncePolledAndUnavailableWithReasonsWhenStopping() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home)) {
      Agent agent = gantry.startAgent(LocalGantry.quickOptions("health"));
      try (HealthServer server =
          HealthServer.start(
              agent,
              new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                  io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
              "127.0.0.1",
              0)) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> get(server, "/health/ready").statusCode() == 200);
        assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);

        agent.stop();

        HttpResponse<String> ready = get(server, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("the agent is stopping");
      }
    }
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
