package dev.gantry.flow.environment;

import static dev.gantry.flow.environment.ImagePullPolicy.ALWAYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.Flow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run configurations read like Prefect's and refuse a malformed value where it is written. */
class RunConfigurationTest {
  @TempDir Path dir;

  @Test
  void aDockerRunCarriesItsImageAndSettings() {
    Flow flow = new Flow("etl");
    flow.environment(DockerRun.image("repo/etl:1.4").env("MODE", "full").memory("2g").cpus(1.5));

    assertThat(flow.environment().image()).isEqualTo("repo/etl:1.4");
    assertThat(flow.environment().runSettings())
        .isEqualTo(Map.of("cpus", "1.5", "env.MODE", "full", "memory", "2g"));
  }

  @Test
  void aKubernetesRunReadsItsJobTemplateWhenBuilt() throws Exception {
    Path job = Files.writeString(dir.resolve("job.yaml"), "apiVersion: batch/v1\nkind: Job\n");

    KubernetesRun run =
        KubernetesRun.image("repo/etl:1.4")
            .cpuRequest("500m")
            .memoryLimit("2Gi")
            .serviceAccount("etl")
            .imagePullPolicy(ALWAYS)
            .jobTemplate(job)
            .runTimeout(Duration.ofMinutes(30));

    assertThat(run.runSettings())
        .containsEntry("cpu-request", "500m")
        .containsEntry("memory-limit", "2Gi")
        .containsEntry("service-account", "etl")
        .containsEntry("image-pull-policy", "Always")
        .containsEntry("job-template", "apiVersion: batch/v1\nkind: Job\n")
        .containsEntry("run-timeout", "PT30M");
  }

  @Test
  void malformedValuesAreRefusedWhenSetWithOneLineEach() {
    assertThatThrownBy(() -> DockerRun.image("a").memory("two gigs"))
        .hasMessage("run setting memory 'two gigs' is not a size such as 512m, 2g or 2Gi");
    assertThatThrownBy(() -> DockerRun.image("a").cpus(0))
        .hasMessage("run setting cpus '0.0' is not positive");
    assertThatThrownBy(() -> KubernetesRun.image("a").cpuRequest("half"))
        .hasMessage("run setting cpu-request 'half' is not a CPU quantity such as 500m or 1.5");
    assertThatThrownBy(() -> KubernetesRun.image("a").serviceAccount("Admin!"))
        .hasMessage("run setting service-account 'Admin!' is not a Kubernetes name such as etl");
    assertThatThrownBy(() -> DockerRun.image("a").env("1X", "y"))
        .hasMessageStartingWith("run setting env '1X' is not an environment variable name");
    assertThatThrownBy(() -> KubernetesRun.image("a").jobTemplate(dir.resolve("none.yaml")))
        .hasMessageStartingWith(
            "run setting job-template: cannot read " + dir.resolve("none.yaml"));
    assertThatThrownBy(() -> DockerRun.image("a").hostPath("relative", "/in"))
        .hasMessage(
            "run setting host-paths 'relative:/in' is not absolute paths such as /data:/in");
  }

  @Test
  void localEnvironmentWithMetadataKeepsWorkingAndTakesTheCommonSettings() throws Exception {
    LocalEnvironment env =
        LocalEnvironment.withMetadata(Map.of("image", "acme/etl:1"))
            .env("MODE", "full")
            .runTimeout(Duration.ofSeconds(90));

    assertThat(env.image()).isEqualTo("acme/etl:1");
    assertThat(env.runSettings())
        .containsEntry("env.MODE", "full")
        .containsEntry("run-timeout", "PT1M30S");
    assertThat(new LocalEnvironment(Map.of(), java.util.Set.of("gpu"), java.util.Set.of()).labels())
        .containsExactly("gpu");
    assertThat(roundTrip(env)).isEqualTo(env);
    assertThat(roundTrip(DockerRun.image("x").memory("1g")))
        .isEqualTo(DockerRun.image("x").memory("1g"));
  }

  @Test
  void sizesAndQuantitiesConvertAsDockerAndKubernetesCountThem() {
    assertThat(RunSetting.memoryBytes("2g")).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(RunSetting.memoryBytes("2Gi")).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(RunSetting.memoryBytes("2G")).isEqualTo(2_000_000_000L);
    assertThat(RunSetting.memoryBytes("512m")).isEqualTo(512L * 1024 * 1024);
    assertThat(RunSetting.cpuMillis("1.5")).isEqualTo(1500);
    assertThat(RunSetting.cpuMillis("500m")).isEqualTo(500);
    assertThat(RunSetting.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
  }

  private static Object roundTrip(Object value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}
