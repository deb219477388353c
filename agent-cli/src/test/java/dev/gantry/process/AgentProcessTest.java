package dev.gantry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.gantry.agent.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's wiring in this JVM: health endpoints while it runs, and a stop that ends them. */
class AgentProcessTest {
  @TempDir Path home;

  @Test
  void servesHealthWhileRunningAndCloseStopsTheAgentAndTheEndpoints() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home)) {
      AgentProcess process =
          AgentProcess.start(
              gantry.client,
              gantry.launcher,
              LocalGantry.quickOptions("process"),
              SecretSource.NONE,
              new AgentProcess.Settings(false, "127.0.0.1", 0, false));
      int port = process.healthPort();
      assertThat(port).isPositive();
      await().atMost(Duration.ofSeconds(20)).until(() -> status(port, "/health/ready") == 200);

      process.close();

      assertTimeoutPreemptively(Duration.ofSeconds(30), process::awaitStopped);
      assertThat(process.healthPort()).isEqualTo(-1);
    }
  }

  @Test
  void anEmbeddedAgentHasNoHealthEndpoints() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        AgentProcess process =
            AgentProcess.start(
                gantry.client,
                gantry.launcher,
                LocalGantry.quickOptions("embedded"),
                SecretSource.NONE,
                AgentProcess.Settings.embedded())) {
      assertThat(process.healthPort()).isEqualTo(-1);
      assertThat(process.agent().options().name()).isEqualTo("embedded");
    }
  }

  private static int status(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
