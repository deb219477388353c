package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.docker.DockerLauncherProvider;
import dev.gantry.docker.DockerSettings;
import dev.gantry.docker.VolumeMount;
import dev.gantry.flow.GantryVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DockerAgentStartCommandTest {

  @Test
  void everyOptionOfTheIssueIsParsedIntoTheLauncherSettings() {
    DockerAgentStartCommand command =
        parse(
            "-l",
            "s3-flow-storage",
            "-l",
            "gpu",
            "--base-url",
            "tcp://127.0.0.1:2375",
            "--no-pull",
            "--volume",
            "/srv/data:/data:ro",
            "--volume",
            "/srv/cache:/cache",
            "--network",
            "host",
            "--network",
            "gantry-net",
            "--env",
            "TZ=UTC",
            "--env",
            "JAVA_OPTS=-Da=b=c",
            "--show-flow-logs",
            "--max-concurrent",
            "100",
            "--default-image",
            "acme/flows:1.4",
            "--memory",
            "512m",
            "--cpus",
            "1.5",
            "--pull-timeout",
            "2m");

    DockerSettings settings = command.settings();

    assertThat(settings.dockerHost()).isEqualTo("tcp://127.0.0.1:2375");
    assertThat(settings.pull()).isFalse();
    assertThat(settings.volumes())
        .containsExactly(
            new VolumeMount("/srv/data", "/data", "ro"),
            new VolumeMount("/srv/cache", "/cache", "rw"));
    assertThat(settings.networks()).containsExactly("host", "gantry-net");
    assertThat(settings.environment()).isEqualTo(Map.of("TZ", "UTC", "JAVA_OPTS", "-Da=b=c"));
    assertThat(settings.showFlowLogs()).isTrue();
    assertThat(settings.effectiveDefaultImage()).isEqualTo("acme/flows:1.4");
    assertThat(settings.memoryBytes()).isEqualTo(512L * 1024 * 1024);
    assertThat(settings.cpuMillis()).isEqualTo(1500L);
    assertThat(settings.pullTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.maxStreams())
        .as("a connection per run at --max-concurrent 100")
        .isGreaterThan(100);
  }

  @Test
  void withoutOptionsTheAgentPullsAndRunsTheGantryImageOfItsVersion() {
    DockerSettings settings = parse().settings();

    assertThat(settings.dockerHost()).isNull();
    assertThat(settings.pull()).isTrue();
    assertThat(settings.effectiveDefaultImage()).isEqualTo("gantry:" + GantryVersion.current());
    assertThat(settings.volumes()).isEmpty();
    assertThat(settings.memoryBytes()).isNull();
    assertThat(settings.cpuMillis()).isNull();
  }

  @Test
  void malformedValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse("--volume", "/only-one-part").settings())
        .hasMessageContaining("--volume")
        .hasMessageContaining("HOST:CONTAINER");
    assertThatThrownBy(() -> parse("--volume", "/a:/b:rx").settings()).hasMessageContaining("rx");
    assertThatThrownBy(() -> parse("--env", "NOVALUE").settings())
        .hasMessageContaining("--env")
        .hasMessageContaining("NOVALUE");
    assertThatThrownBy(() -> parse("--memory", "lots").settings()).hasMessageContaining("--memory");
    assertThatThrownBy(() -> parse("--memory", "1k").settings()).hasMessageContaining("6 MiB");
    assertThatThrownBy(() -> parse("--cpus", "lots").settings())
        .hasMessage("--cpus 'lots' is not a number of CPUs above 0 such as 0.5 or 2");
    assertThatThrownBy(() -> parse("--cpus", "0").settings())
        .hasMessage("--cpus '0' is not a number of CPUs above 0 such as 0.5 or 2");
  }

  @Test
  void anAgentWhoseOwnDefaultsAreAboveItsPolicyDoesNotStartAndSaysWhichOption(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
    CliResult cpus =
        CliResult.run(
            "agent", "start", "docker", "--cpus", "4", "--max-cpus", "2", "--home=" + home);
    CliResult memory =
        CliResult.run(
            "agent", "start", "docker", "--memory", "2g", "--max-memory", "1g", "--home=" + home);

    assertThat(cpus.exitCode()).isEqualTo(1);
    assertThat(cpus.err().lines().toList())
        .containsExactly("error: --cpus 4 is above --max-cpus 2: lower --cpus or raise --max-cpus");
    assertThat(memory.exitCode()).isEqualTo(1);
    assertThat(memory.err().lines().toList())
        .containsExactly(
            "error: --memory 2g is above --max-memory 1g: lower --memory or raise --max-memory");
    assertThat(home).isEmptyDirectory();
  }

  @Test
  void theProviderRegistersTheDockerKindWithThisCommand() {
    DockerLauncherProvider provider = new DockerLauncherProvider();

    assertThat(provider.kind()).isEqualTo("docker");
    assertThat(provider.settingsType()).isEqualTo(DockerSettings.class);
    assertThat(agentStart().getSubcommands().get("docker").<Object>getCommand())
        .isInstanceOf(DockerAgentStartCommand.class);
    assertThat(
            java.util.ServiceLoader.load(dev.gantry.launch.LauncherProvider.class).stream()
                .map(p -> p.type().getName())
                .toList())
        .contains(DockerLauncherProvider.class.getName());
  }

  @Test
  void memorySizesReadLikeDockerRunMemory() {
    assertThat(DockerSettings.parseMemory("1g")).isEqualTo(1L << 30);
    assertThat(DockerSettings.parseMemory("64M")).isEqualTo(64L << 20);
    assertThat(DockerSettings.parseMemory("2048k")).isEqualTo(2L << 20);
    assertThat(DockerSettings.parseMemory("10485760")).isEqualTo(10L << 20);
    assertThat(List.of(DockerSettings.parseMemory("7340032b"))).containsExactly(7L << 20);
  }

  static CommandLine agentStart() {
    return Gantry.commandLine().getSubcommands().get("agent").getSubcommands().get("start");
  }

  private static DockerAgentStartCommand parse(String... args) {
    DockerAgentStartCommand command = new DockerAgentStartCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
