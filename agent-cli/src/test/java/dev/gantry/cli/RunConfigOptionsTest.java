package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.catalog.RunConfig;
import dev.gantry.launch.LaunchPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The run settings of registration and the agent policy options parse into their values; a
 * malformed one fails with one line naming the option.
 */
class RunConfigOptionsTest {
  @TempDir Path dir;

  @Command(name = "register")
  static final class Register {
    @Mixin RunConfigOptions run;
  }

  private static RunConfigOptions parse(String... args) {
    Register command = new Register();
    new CommandLine(command).parseArgs(args);
    return command.run;
  }

  @Test
  void everyRunSettingOptionBecomesANamedSetting() throws Exception {
    Path template = Files.writeString(dir.resolve("job.yaml"), "apiVersion: batch/v1\nkind: Job\n");

    Map<String, String> settings =
        parse(
                "--run-env",
                "MODE=full",
                "--run-env",
                "JAVA_OPTS=-Da=b=c",
                "--memory",
                "2g",
                "--cpus",
                "1.5",
                "--run-timeout",
                "30m",
                "--cpu-request",
                "500m",
                "--cpu-limit",
                "2",
                "--memory-request",
                "512Mi",
                "--memory-limit",
                "2Gi",
                "--service-account",
                "etl",
                "--image-pull-policy",
                "Always",
                "--job-template",
                template.toString())
            .settings();

    assertThat(settings)
        .containsEntry("env.MODE", "full")
        .containsEntry("env.JAVA_OPTS", "-Da=b=c")
        .containsEntry("memory", "2g")
        .containsEntry("cpus", "1.5")
        .containsEntry("run-timeout", "PT30M")
        .containsEntry("cpu-request", "500m")
        .containsEntry("cpu-limit", "2")
        .containsEntry("memory-request", "512Mi")
        .containsEntry("memory-limit", "2Gi")
        .containsEntry("service-account", "etl")
        .containsEntry("image-pull-policy", "Always")
        .containsEntry("job-template", "apiVersion: batch/v1\nkind: Job\n");
    assertThat(RunConfigOptions.describe(RunConfig.of(Map.of(), Map.of("memory", "2g"))))
        .containsExactly("  run:      memory=2g (registration)");
  }

  @Test
  void aMalformedOptionFailsWithOneLineNamingIt() {
    assertThatThrownBy(() -> parse("--memory", "lots").settings())
        .isInstanceOf(UserError.class)
        .hasMessage("--memory: run setting memory 'lots' is not a size such as 512m, 2g or 2Gi");
    assertThatThrownBy(() -> parse("--run-env", "MODE").settings())
        .isInstanceOf(UserError.class)
        .hasMessage("--run-env 'MODE' is not NAME=VALUE");
    assertThatThrownBy(
            () -> parse("--job-template", dir.resolve("missing.yaml").toString()).settings())
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(
            "--job-template " + dir.resolve("missing.yaml") + " cannot be read");
  }

  @Test
  void theAgentPolicyOptionsOfEveryLauncherKindParseIntoItsPolicy() {
    for (AgentStartCommand<?> command :
        List.<AgentStartCommand<?>>of(
            new LocalAgentStartCommand(),
            new DockerAgentStartCommand(),
            new KubernetesAgentStartCommand())) {
      new CommandLine(command)
          .parseArgs(
              "--allow-image-prefix",
              "registry.acme/etl/",
              "--max-memory",
              "4g",
              "--max-cpus",
              "2",
              "--allow-service-account",
              "etl",
              "--allow-privileged",
              "--allow-host-paths");

      LaunchPolicy policy = command.policy.policy();

      assertThat(policy)
          .isEqualTo(
              new LaunchPolicy(
                  List.of("registry.acme/etl/"),
                  4L * 1024 * 1024 * 1024,
                  2000L,
                  Set.of("etl"),
                  true,
                  false,
                  true,
                  false));
    }
    DockerAgentStartCommand bad = new DockerAgentStartCommand();
    new CommandLine(bad).parseArgs("--max-memory", "huge");
    assertThatThrownBy(() -> bad.policy.policy())
        .isInstanceOf(UserError.class)
        .hasMessage("--max-memory 'huge' is not a size such as 512m or 4g");
  }

  @Test
  void installKubernetesPassesThePolicyToTheAgentsCommandLine() {
    KubernetesInstallCommand install = new KubernetesInstallCommand();
    new CommandLine(install)
        .parseArgs("--allow-service-account", "etl", "--max-memory", "4g", "--allow-host-paths");

    assertThat(install.options().policyArguments())
        .containsExactly("--max-memory=4g", "--allow-service-account=etl", "--allow-host-paths");
  }
}
