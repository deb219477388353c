package dev.gantry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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

  /**
   * The way {@code gantry agent start} stops on SIGTERM: the agent stops, {@code awaitStopped}
   * returns, the command closes the client and its pool, then the shutdown hook closes the process.
   * The schedules must be closed before the pool, so Quartz never touches a closed pool.
   */
  @Test
  void aSignalledStopClosesTheSchedulesBeforeTheCallerClosesThePool() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      LocalGantry gantry = new LocalGantry(home);
      AgentProcess process =
          AgentProcess.start(
              gantry.client,
              gantry.launcher,
              LocalGantry.quickOptions("signalled"),
              SecretSource.NONE,
              new AgentProcess.Settings(true, null, -1, false));
      process.agent().stop(); // what the signal's stop does to the agent
      assertTimeoutPreemptively(Duration.ofSeconds(30), process::awaitStopped);
      gantry.close(); // the command's try-with-resources: launcher and pool
      process.close(); // the shutdown hook, after
    } finally {
      root.detachAppender(logged);
    }
    assertThat(logged.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }

  private static int status(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
