package dev.gantry.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.secrets.SecretVault;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Register and run through a local agent with Azure Blob storage on a real Azure Blob service
 * (Azurite): the connection string lives only in the secret store, the agent resolves it at launch
 * and hands it to the child JVM's bootstrap, which fetches the bundle from the container and runs
 * it. Neither the flow's record nor the run's logs carry the value.
 */
class AzureLocalAgentEndToEndTest {
  private static final String CONTAINER = "agent-flows";
  private static final String SECRET = AzureBlob.DEFAULT_CREDENTIALS_SECRET;

  @TempDir Path dir;
  private AzuriteServer azurite;
  private LocalGantry gantry;
  private Agent agent;

  @BeforeEach
  void start() {
    azurite = AzuriteServer.find(dir);
    azurite.container(CONTAINER);
    gantry = new LocalGantry(dir.resolve("home"));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.stop();
    }
    if (gantry != null) {
      gantry.close();
    }
    if (azurite != null) {
      azurite.close();
    }
  }

  @Test
  void aFlowRegisteredToAzureRunsOnTheAgentWithTheStorageLabel() {
    SecretVault vault = SecretVault.of(gantry.client.backend(), gantry.home.dir());
    vault.set(SECRET, azurite.connectionString());
    RegisteredFlow flow =
        gantry.client.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Chatty#chatty")
                .withStorage(AzureBlob.container(AzuriteServer.ACCOUNT, CONTAINER).prefix("e2e")));
    assertThat(flow.location()).startsWith("azblob://devstoreaccount1/agent-flows/e2e/chatty/");
    assertThat(flow.labels()).extracting(FlowLabel::label).containsExactly(AzureBlob.DEFAULT_LABEL);
    assertThat(flow.secrets()).containsExactly(SECRET);

    agent =
        new Agent(
            gantry.client.backend(),
            gantry.launcher,
            AgentOptions.defaults("azure-agent", Set.of(AzureBlob.DEFAULT_LABEL))
                .withPollInterval(Duration.ofMillis(100))
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)),
            BackendSecretSource.of(gantry.client.backend(), gantry.home.dir()));
    agent.start();
    FlowRun run = gantry.run(flow.name(), Map.of());
    FlowRun ended = gantry.awaitEnd(run.id(), Duration.ofSeconds(120));

    assertThat(ended.state()).as(ended.message()).isEqualTo(RunState.Success);
    String key = AzuriteServer.KEY;
    assertThat(flow.location()).doesNotContain(key);
    assertThat(gantry.client.logs(run.id(), 0, 1000))
        .isNotEmpty()
        .extracting(LogRecord::message)
        .noneMatch(m -> m.contains(key) || m.contains("AccountKey"));
  }
}
