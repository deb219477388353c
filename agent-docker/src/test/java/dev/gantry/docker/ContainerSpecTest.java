package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.launch.LaunchRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {
  private static final String RUN = "0b9e7c1a-0000-4000-8000-000000000001";

  private final LaunchRequest request =
      LaunchRequests.request(RUN, 2, "nightly-etl", "acme/etl:1", Map.of("DB_PASSWORD", "s3cr3t"));

  private static DockerSettings settings(
      List<VolumeMount> volumes,
      List<String> networks,
      Map<String, String> environment,
      Long memory) {
    return new DockerSettings(
        null, true, null, volumes, networks, environment, false, memory, Duration.ofMinutes(1), 8);
  }

  @Test
  void theContainerIsNamedAndLabelledAfterItsRunAttempt() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(DockerSettings.defaults(), request, "acme/etl:1", Optional.empty());

    assertThat(spec.image()).isEqualTo("acme/etl:1");
    assertThat(spec.name()).isEqualTo("gantry-" + RUN + "-2");
    assertThat(spec.labels())
        .containsEntry(ContainerLabels.MANAGED, "true")
        .containsEntry(ContainerLabels.RUN_ID, RUN)
        .containsEntry(ContainerLabels.FLOW, "nightly-etl")
        .containsEntry(ContainerLabels.AGENT_ID, LaunchRequests.AGENT_ID)
        .containsEntry(ContainerLabels.ATTEMPT, "2");
    assertThat(spec.command()).containsExactly("execute", "flow-run");
  }

  @Test
  void theRunsOwnVariablesComeAfterTheAgentsSoTheyWin() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(
            settings(
                List.of(), List.of(), Map.of("GANTRY_RUN_ID", "agent-side", "TZ", "UTC"), null),
            request,
            "acme/etl:1",
            Optional.empty());

    List<String> env = spec.environment();
    assertThat(env).contains("TZ=UTC", "GANTRY_RUN_ID=agent-side");
    int agentSide = env.indexOf("GANTRY_RUN_ID=agent-side");
    BootstrapSpec.withoutSecretValues(request.environment())
        .forEach(
            (name, value) -> assertThat(env.indexOf(name + "=" + value)).isGreaterThan(agentSide));
    assertThat(env)
        .hasSize(2 + BootstrapSpec.withoutSecretValues(request.environment()).size() + 1);
  }

  @Test
  void secretValuesAreNeverInTheSpecOnlyTheFlagThatTheyComeOnStdin() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(
            settings(List.of(), List.of(), Map.of(), null),
            request,
            "acme/etl:1",
            Optional.empty());

    assertThat(String.join("\n", spec.environment())).doesNotContain("s3cr3t");
    assertThat(spec.environment())
        .contains(BootstrapSpec.SECRET_NAMES + "=DB_PASSWORD")
        .contains(BootstrapSpec.SECRETS_ON_STDIN + "=true")
        .noneMatch(pair -> pair.startsWith(BootstrapSpec.SECRET_PREFIX + "DB_PASSWORD"));
    assertThat(spec.secretsOnStdin()).isTrue();
    assertThat(spec.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void theAgentsVolumesComeBeforeTheBundleMount() throws Exception {
    Bind bundle = new Bind("/tmp/copy/flow.gantry", new Volume("/data/flow.gantry"), AccessMode.ro);
    ContainerSpec spec =
        ContainerSpec.forRun(
            settings(
                List.of(VolumeMount.parse("/srv/data:/data:ro"), VolumeMount.parse("/a:/b")),
                List.of(),
                Map.of(),
                null),
            request,
            "acme/etl:1",
            Optional.of(bundle));

    assertThat(spec.binds()).hasSize(3);
    assertThat(spec.binds().get(0).getPath()).isEqualTo("/srv/data");
    assertThat(spec.binds().get(0).getVolume().getPath()).isEqualTo("/data");
    assertThat(spec.binds().get(0).getAccessMode()).isEqualTo(AccessMode.ro);
    assertThat(spec.binds().get(1).getAccessMode()).isEqualTo(AccessMode.rw);
    assertThat(spec.binds().get(2)).isSameAs(bundle);
  }

  @Test
  void theFirstNetworkIsTheContainersOwnAndTheOthersAreConnectedLater() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(
            settings(List.of(), List.of("flows", "db", "cache"), Map.of(), null),
            request,
            "acme/etl:1",
            Optional.empty());

    assertThat(spec.networkMode()).isEqualTo("flows");
    assertThat(spec.extraNetworks()).containsExactly("db", "cache");
    assertThat(spec.hostConfig().getNetworkMode()).isEqualTo("flows");
  }

  @Test
  void withoutNetworksTheEnginesDefaultIsUsed() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(DockerSettings.defaults(), request, "acme/etl:1", Optional.empty());

    assertThat(spec.networkMode()).isNull();
    assertThat(spec.extraNetworks()).isEmpty();
    assertThat(spec.hostConfig().getNetworkMode()).isNull();
    assertThat(spec.hostConfig().getMemory()).isNull();
  }

  @Test
  void aMemoryLimitAllowsNoSwapBeyondIt() throws Exception {
    long limit = 256L * 1024 * 1024;
    HostConfig host =
        ContainerSpec.forRun(
                settings(List.of(), List.of(), Map.of(), limit),
                request,
                "acme/etl:1",
                Optional.empty())
            .hostConfig();

    assertThat(host.getMemory()).isEqualTo(limit);
    assertThat(host.getMemorySwap()).isEqualTo(limit);
  }

  @Test
  void outputIsKeptByTheJsonFileDriverTheAgentReads() throws Exception {
    HostConfig host =
        ContainerSpec.forRun(DockerSettings.defaults(), request, "acme/etl:1", Optional.empty())
            .hostConfig();

    assertThat(host.getLogConfig().getType()).isEqualTo(LogConfig.LoggingType.JSON_FILE);
  }

  @Test
  void theSpecIsWrittenIntoTheCreateCommand() throws Exception {
    ContainerSpec spec =
        ContainerSpec.forRun(
            settings(List.of(VolumeMount.parse("/a:/b")), List.of("flows"), Map.of(), null),
            request,
            "acme/etl:1",
            Optional.empty());

    CreateContainerCmd.Exec neverRun =
        cmd -> {
          throw new AssertionError("no engine in this test");
        };
    CreateContainerCmd command =
        spec.applyTo(new CreateContainerCmdImpl(neverRun, null, spec.image()));

    assertThat(command.getImage()).isEqualTo("acme/etl:1");
    assertThat(command.getName()).isEqualTo(spec.name());
    assertThat(command.getLabels()).isEqualTo(spec.labels());
    assertThat(Arrays.asList(command.getEnv())).isEqualTo(spec.environment());
    assertThat(command.getCmd()).containsExactly("execute", "flow-run");
    assertThat(command.getHostConfig().getNetworkMode()).isEqualTo("flows");
    assertThat(command.getHostConfig().getBinds()).hasSize(1);
  }
}
