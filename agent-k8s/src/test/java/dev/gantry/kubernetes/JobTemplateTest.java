package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run's Job is made from the built-in template or the user's {@code --job-template}. */
class JobTemplateTest {
  private static final String USER_TEMPLATE =
      """
      apiVersion: batch/v1
      kind: Job
      metadata:
        labels:
          team: data
        annotations:
          owner: data-platform
      spec:
        activeDeadlineSeconds: 3600
        backoffLimit: 6
        template:
          metadata:
            labels:
              sidecar.istio.io/inject: "false"
          spec:
            nodeSelector:
              workload: flows
            tolerations:
              - key: dedicated
                operator: Equal
                value: flows
                effect: NoSchedule
            volumes:
              - name: scratch
                emptyDir: {}
            containers:
              - name: log-shipper
                image: fluent-bit:2
              - name: flow-run
                image: replaced-by-the-agent
                env:
                  - name: TZ
                    value: Europe/Paris
                  - name: LOG_FORMAT
                    value: template
                  - name: GANTRY_DB_URL
                    value: jdbc:postgresql://must-not-reach-a-run
                resources:
                  requests:
                    cpu: 250m
                    ephemeral-storage: 1Gi
                volumeMounts:
                  - name: scratch
                    mountPath: /scratch
            restartPolicy: OnFailure
      """;

  @TempDir Path dir;

  @Test
  void aUserTemplateKeepsItsOwnFieldsAndGetsTheRunsMergedIn() throws Exception {
    JobTemplate template =
        JobTemplate.load(Files.writeString(dir.resolve("job.yaml"), USER_TEMPLATE));
    KubernetesSettings settings =
        KubernetesSettings.builder()
            .cpuLimit("2")
            .memoryRequest("512Mi")
            .memoryLimit("1Gi")
            .environment(Map.of("LOG_FORMAT", "json", "GANTRY_RUN_ID", "not-the-run"))
            .imagePullSecrets(List.of("registry-creds"))
            .serviceAccount("flow-runner")
            .build();
    LaunchRequest request = Launches.request("etl", "acme/etl:7", Map.of());

    Job job = template.manifestFor(request, settings, "flows", "acme/etl:7").job();

    assertThat(job.getMetadata().getLabels())
        .containsEntry("team", "data")
        .containsEntry(JobLabels.RUN_ID, request.runId());
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry("owner", "data-platform")
        .containsEntry(JobLabels.FLOW_NAME_ANNOTATION, "etl")
        .containsEntry(JobTemplate.CONTAINER_ANNOTATION, "flow-run");
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
    assertThat(job.getSpec().getBackoffLimit()).as("no retries by Kubernetes").isZero();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getNodeSelector()).containsEntry("workload", "flows");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getName()).isEqualTo("scratch"));
    assertThat(pod.getServiceAccountName()).isEqualTo("flow-runner");
    assertThat(pod.getImagePullSecrets())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("registry-creds"));
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("sidecar.istio.io/inject", "false")
        .containsEntry(JobLabels.ATTEMPT, "1");
    assertThat(pod.getContainers())
        .extracting(Container::getName)
        .containsExactly("log-shipper", "flow-run");
    assertThat(pod.getContainers().get(0).getImage())
        .as("the sidecar is left alone")
        .isEqualTo("fluent-bit:2");

    Container run = pod.getContainers().get(1);
    assertThat(run.getImage()).isEqualTo("acme/etl:7");
    assertThat(run.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/scratch"));
    assertThat(run.getResources().getRequests())
        .containsEntry("cpu", new Quantity("250m"))
        .containsEntry("ephemeral-storage", new Quantity("1Gi"))
        .containsEntry("memory", new Quantity("512Mi"));
    assertThat(run.getResources().getLimits())
        .containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("1Gi"));
    Map<String, String> env = plainEnvironment(run);
    assertThat(env)
        .containsEntry("TZ", "Europe/Paris")
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("GANTRY_RUN_ID", request.runId())
        .containsEntry("GANTRY_TERMINATION_LOG", "/dev/termination-log")
        .doesNotContainKey("GANTRY_DB_URL");
  }

  @Test
  void secretsBecomeReferencesIntoTheRunsSecretAndTheJobStartsSuspended() {
    LaunchRequest request =
        Launches.request(
            "etl",
            null,
            Map.of("AWS_CREDENTIALS", "{\"ACCESS_KEY\":\"AK\"}", "API_TOKEN", "t0k3n"));

    RunJobManifest manifest =
        JobTemplate.defaultTemplate()
            .manifestFor(request, KubernetesSettings.defaults(), "flows", "gantry:0.1.0");

    Container run = manifest.job().getSpec().getTemplate().getSpec().getContainers().get(0);
    List<EnvVar> secretRefs = run.getEnv().stream().filter(e -> e.getValueFrom() != null).toList();
    assertThat(secretRefs)
        .extracting(EnvVar::getName)
        .containsExactlyInAnyOrder("GANTRY_SECRET_AWS_CREDENTIALS", "GANTRY_SECRET_API_TOKEN");
    assertThat(secretRefs)
        .allSatisfy(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo(manifest.secretName());
            });
    assertThat(plainEnvironment(run))
        .containsEntry("GANTRY_SECRET_NAMES", "API_TOKEN,AWS_CREDENTIALS");
    assertThat(ManifestYaml.json(manifest.job()))
        .doesNotContain("t0k3n")
        .doesNotContain("ACCESS_KEY");
    assertThat(manifest.job().getSpec().getSuspend()).isTrue();
    assertThat(manifest.toString()).doesNotContain("t0k3n");
  }

  @Test
  void theBuiltInTemplateDropsTheServiceAccountTokenAndPrivileges() {
    Job job =
        JobTemplate.defaultTemplate()
            .manifestFor(
                Launches.request("etl", null, Map.of()),
                KubernetesSettings.defaults(),
                "flows",
                "gantry:0.1.0")
            .job();

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getTerminationGracePeriodSeconds())
        .as("from the agent's cancel grace")
        .isEqualTo(30L);
    assertThat(pod.getContainers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo(JobTemplate.CONTAINER);
              assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
              assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            });
  }

  @Test
  void aTemplateWithAMisspeltFieldIsRefusedNamingTheFieldAndTheFile() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("typo.yaml"), USER_TEMPLATE.replace("nodeSelector:", "nodeSelecter:"));

    assertThatThrownBy(() -> JobTemplate.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("spec.template.spec.nodeSelecter");
  }

  @Test
  void aTemplateThatIsNotAJobIsRefused() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n");

    assertThatThrownBy(() -> JobTemplate.load(file))
        .hasMessageContaining("must hold exactly one Job")
        .hasMessageContaining("[Pod]");
  }

  private static Map<String, String> plainEnvironment(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : container.getEnv()) {
      if (variable.getValueFrom() == null) {
        env.put(variable.getName(), variable.getValue());
      }
    }
    return env;
  }
}
