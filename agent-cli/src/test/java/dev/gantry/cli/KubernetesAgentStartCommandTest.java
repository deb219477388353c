package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.kubernetes.KubernetesSettings;
import dev.gantry.launch.LauncherProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gantry agent start kubernetes}: its options become the launcher's settings. */
class KubernetesAgentStartCommandTest {
  @TempDir Path dir;

  @Test
  void theLauncherIsFoundWithServiceLoaderUnderItsKind() {
    assertThat(ServiceLoader.load(LauncherProvider.class))
        .anySatisfy(
            provider -> {
              assertThat(provider.kind()).isEqualTo("kubernetes");
              assertThat(provider.settingsType()).isEqualTo(KubernetesSettings.class);
            });
    assertThat(
            DockerAgentStartCommandTest.agentStart()
                .getSubcommands()
                .get("kubernetes")
                .<Object>getCommand())
        .isInstanceOf(KubernetesAgentStartCommand.class);
  }

  @Test
  void everyOptionOfTheIssueReachesTheSettings() throws Exception {
    Path template =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            apiVersion: batch/v1
            kind: Job
            spec:
              template:
                spec:
                  nodeSelector:
                    pool: flows
                  containers:
                    - name: flow-run
            """);

    KubernetesSettings settings =
        settings(
            "-l",
            "s3-flow-storage",
            "--namespace",
            "flows",
            "--service-account",
            "flow-runner",
            "--image-pull-secrets",
            "regcred,backup",
            "--job-template",
            template.toString(),
            "--cpu-request",
            "500m",
            "--cpu-limit",
            "2",
            "--memory-request",
            "512Mi",
            "--memory-limit",
            "1Gi",
            "--env",
            "TZ=UTC",
            "--env",
            "LOG_FORMAT=json",
            "--keep-finished-jobs",
            "--max-concurrent",
            "12",
            "--unschedulable-timeout",
            "90s",
            "--pod-creation-timeout",
            "45s",
            "--cancel-grace",
            "20s");

    assertThat(settings.namespace()).isEqualTo("flows");
    assertThat(settings.serviceAccount()).isEqualTo("flow-runner");
    assertThat(settings.imagePullSecrets()).containsExactly("regcred", "backup");
    assertThat(settings.jobTemplate().getSpec().getTemplate().getSpec().getNodeSelector())
        .containsEntry("pool", "flows");
    assertThat(settings.cpuRequest()).isEqualTo("500m");
    assertThat(settings.cpuLimit()).isEqualTo("2");
    assertThat(settings.memoryRequest()).isEqualTo("512Mi");
    assertThat(settings.memoryLimit()).isEqualTo("1Gi");
    assertThat(settings.environment())
        .containsEntry("TZ", "UTC")
        .containsEntry("LOG_FORMAT", "json");
    assertThat(settings.keepFinishedJobs()).isTrue();
    assertThat(settings.unschedulableTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.podCreationTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(settings.podGracePeriod()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aJobMayStayWithoutAPodForTwoMinutesByDefaultAndTheTimeoutMustBePositive() {
    assertThat(settings().podCreationTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(KubernetesSettings.defaults().podCreationTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> settings("--pod-creation-timeout", "0s"))
        .hasMessageContaining("--pod-creation-timeout must be positive");
  }

  @Test
  void defaultsAreTheClientsNamespaceTheBuiltInTemplateAndFiveMinutesToSchedule() {
    KubernetesSettings settings = settings();

    assertThat(settings.namespace()).isNull();
    assertThat(settings.jobTemplate()).isNull();
    assertThat(settings.keepFinishedJobs()).isFalse();
    assertThat(settings.finishedJobTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.unschedulableTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.effectiveDefaultImage()).isEqualTo(KubernetesSettings.gantryImage());
  }

  @Test
  void malformedOptionsAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> settings("--cpu-limit", "two"))
        .hasMessageContaining("--cpu-limit 'two'");
    assertThatThrownBy(() -> settings("--namespace", "Flows_Team"))
        .hasMessageContaining("--namespace 'Flows_Team'");
    assertThatThrownBy(() -> settings("--env", "GANTRY_DB_URL=jdbc:h2:mem:x"))
        .hasMessageContaining("never receive the backend's credentials");
    assertThatThrownBy(() -> settings("--job-template", dir.resolve("missing.yaml").toString()))
        .hasMessageContaining("missing.yaml");
  }

  private static KubernetesSettings settings(String... args) {
    KubernetesAgentStartCommand command = new KubernetesAgentStartCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }
}
