package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.storage.azure.AzuriteServer;
import dev.gantry.storage.gcs.InProcessGcsClients;
import dev.gantry.storage.gcs.ServiceAccountKeys;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry flow register --storage azblob://...} and {@code --storage gs://...} as an operator
 * types them. Azure runs end to end on a real Azure Blob service (Azurite) through a local agent
 * whose secrets come from {@code gantry secret set}. GCS registers into Google's in-process test
 * storage (no GCS server can run here), which a local agent's child JVM cannot see: its runs are
 * covered by the GCS storage-kind contract in agent-core, with the bootstrap in that test's JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudFlowStorageTest {
  private static final String CONTAINER = "cli-flows";
  private static final Duration RUN_TIME = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private AzuriteServer azurite;
  private LocalGantry gantry;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    azurite = AzuriteServer.find(dir);
    azurite.container(CONTAINER);
    gantry = new LocalGantry(dir.resolve("home"));
    Path connection =
        Files.writeString(dir.resolve("azure.txt"), azurite.connectionString() + "\n");
    CliResult set =
        gantry(
            "secret",
            "set",
            AzureBlob.DEFAULT_CREDENTIALS_SECRET,
            "--from-file",
            connection.toString());
    assertThat(set.exitCode()).as(set.err()).isZero();
    Agent agent =
        new Agent(
            gantry.client.backend(),
            gantry.launcher,
            AgentOptions.defaults("azure-agent", Set.of(AzureBlob.DEFAULT_LABEL))
                .withPollInterval(Duration.ofMillis(100))
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)),
            BackendSecretSource.of(gantry.client.backend(), gantry.home.dir()));
    agents.add(agent);
    agent.start();
  }

  @AfterAll
  void stop() {
    agents.forEach(Agent::stop);
    if (gantry != null) {
      gantry.close();
    }
    if (azurite != null) {
      azurite.close();
    }
  }

  @Test
  void aFlowRegisteredToAzureRunsToSuccessOnTheLabelledAgent() {
    CliResult register =
        register(
            "dev.gantry.examples.Chatty#chatty",
            "--storage",
            "azblob://" + AzuriteServer.ACCOUNT + "/" + CONTAINER + "/team-a");

    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("chatty");
    assertThat(flow.location())
        .isEqualTo(
            "azblob://devstoreaccount1/cli-flows/team-a/chatty/" + flow.digest() + ".gantry");
    assertThat(flow.labels())
        .containsExactly(new FlowLabel(AzureBlob.DEFAULT_LABEL, LabelSource.storage));
    assertThat(register.out())
        .contains("labels:   azure-flow-storage (storage)")
        .contains("secrets:  " + AzureBlob.DEFAULT_CREDENTIALS_SECRET)
        .doesNotContain(AzuriteServer.KEY);

    FlowRun done = gantry.awaitEnd(gantry.run("chatty", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
  }

  @Test
  void aMissingContainerFailsRegistrationInOneLine() {
    CliResult register =
        register(
            "dev.gantry.examples.Greeting#greeting",
            "--storage",
            "azblob://" + AzuriteServer.ACCOUNT + "/no-such-container");

    assertThat(register.exitCode()).isEqualTo(1);
    assertThat(register.err().strip())
        .startsWith("error: Azure blob container 'no-such-container' does not exist")
        .doesNotContain("\n");
  }

  @Test
  void aFlowRegisteredToGcsNamesItsKeySecretAndLabel() throws Exception {
    Path key = Files.writeString(dir.resolve("key.json"), ServiceAccountKeys.keyJson("cli"));
    assertThat(gantry("secret", "set", "TEAM_GCP", "--from-file", key.toString()).exitCode())
        .isZero();

    CliResult register =
        register(
            "dev.gantry.examples.Greeting#greeting",
            "--storage",
            "gs://acme-flows/cli",
            "--gcs-credentials-secret",
            "TEAM_GCP",
            "--as-source");

    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("greeting");
    assertThat(flow.location())
        .isEqualTo("gs://acme-flows/cli/greeting/source.gantry?credentials=TEAM_GCP");
    assertThat(flow.labels())
        .containsExactly(new FlowLabel(Gcs.DEFAULT_LABEL, LabelSource.storage));
    assertThat(flow.secrets()).containsExactly("TEAM_GCP");
    assertThat(InProcessGcsClients.accounts()).last().isEqualTo(ServiceAccountKeys.email("cli"));
  }

  @Test
  void cloudOptionsWithoutTheirStorageAreRefused() {
    CliResult gcs =
        register("dev.gantry.examples.Greeting#greeting", "--gcs-credentials-secret", "TEAM_GCP");
    CliResult azure =
        register("dev.gantry.examples.Greeting#greeting", "--azure-credentials-secret", "X");

    assertThat(gcs.exitCode()).isNotZero();
    assertThat(gcs.err()).contains("--gcs-credentials-secret needs --storage gs://BUCKET/PREFIX");
    assertThat(azure.exitCode()).isNotZero();
    assertThat(azure.err())
        .contains("--azure-credentials-secret needs --storage azblob://ACCOUNT/CONTAINER/PREFIX");
  }

  private CliResult register(String factory, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "flow", "register", "--jar", ExamplesJar.path().toString(), "--factory", factory));
    args.addAll(List.of(more));
    return gantry(args.toArray(String[]::new));
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + gantry.home.dir());
    return CliResult.run(all.toArray(String[]::new));
  }
}
