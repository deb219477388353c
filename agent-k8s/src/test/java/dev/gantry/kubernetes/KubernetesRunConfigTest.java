package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.domain.RunState;
import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.kubernetes.testing.MockCluster;
import dev.gantry.kubernetes.testing.RecordingSink;
import dev.gantry.kubernetes.testing.ScriptedKubelet;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A flow's Kubernetes settings on the Job the launcher creates. No kube-apiserver can run on the
 * build machines: this runs against fabric8's mock API server in CRUD mode, with the Job controller
 * played by {@link ScriptedKubelet}; the Job asserted on is the one read back from that mock API.
 */
class KubernetesRunConfigTest {
  private static final String NS = "runs";

  private static final String AGENT_TEMPLATE =
      """
      apiVersion: batch/v1
      kind: Job
      metadata:
        labels:
          team: data
      spec:
        template:
          spec:
            nodeSelector:
              workload: flows
            volumes:
              - name: scratch
                emptyDir: {}
            containers:
              - name: flow-run
                env:
                  - name: TZ
                    value: Europe/Paris
                volumeMounts:
                  - name: scratch
                    mountPath: /scratch
      """;

  private static final String FLOW_TEMPLATE =
      """
      apiVersion: batch/v1
      kind: Job
      metadata:
        annotations:
          cost-centre: etl
      spec:
        template:
          spec:
            tolerations:
              - key: dedicated
                operator: Equal
                value: flows
                effect: NoSchedule
            volumes:
              - name: cache
                emptyDir: {}
            containers:
              - name: flow-run
                env:
                  - name: LOG_FORMAT
                    value: json
                volumeMounts:
                  - name: cache
                    mountPath: /cache
      """;

  private MockCluster cluster;
  private KubernetesClient client;
  private ScriptedKubelet kubelet;
  private BoundedLauncher launcher;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    client = cluster.client();
    kubelet = new ScriptedKubelet(cluster, NS);
  }

  @AfterEach
  void stop() {
    if (launcher != null) {
      launcher.close();
    }
    cluster.close();
  }

  private BoundedLauncher launcher(LaunchPolicy policy) {
    KubernetesSettings settings =
        KubernetesSettings.builder()
            .namespace(NS)
            .serviceAccount("gantry-runs")
            .cpuRequest("100m")
            .jobTemplate(ManifestYaml.readOne(AGENT_TEMPLATE, Job.class, "agent template"))
            .build();
    KubernetesLauncher kubernetes = new KubernetesLauncher(settings, client, false);
    kubernetes.prepare();
    launcher = new BoundedLauncher(kubernetes, policy, Duration.ofSeconds(5));
    return launcher;
  }

  private static LaunchRequest request(Map<String, String> settings) {
    LaunchRequest base = Launches.request("etl", "registry.example/etl:1.4", Map.of());
    RegisteredFlow flow = base.flow().withRunConfig(RunConfig.of(settings, Map.of()));
    return new LaunchRequest(base.run(), flow, base.environment(), base.image(), base.agentId());
  }

  @Test
  void requestsLimitsServiceAccountPullPolicyTimeoutAndEnvReachTheJob() throws Exception {
    LaunchRequest request =
        request(
            Map.of(
                "cpu-request", "500m",
                "memory-limit", "2Gi",
                "service-account", "etl",
                "image-pull-policy", "Always",
                "run-timeout", "PT30M",
                "env.MODE", "full"));

    launcher(LaunchPolicy.DEFAULT).launch(request, new RecordingSink());

    Job job = kubelet.awaitJob(JobLabels.jobName(request.runId(), 1));
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container container = runContainer(pod);
    assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("2Gi"));
    assertThat(pod.getServiceAccountName()).isEqualTo("etl");
    assertThat(container.getImagePullPolicy()).isEqualTo("Always");
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
    assertThat(container.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .contains(org.assertj.core.groups.Tuple.tuple("MODE", "full"));
  }

  @Test
  void theFlowsJobTemplateMergesWithTheAgentsWithoutLosingAField() throws Exception {
    LaunchRequest request = request(Map.of("job-template", FLOW_TEMPLATE));

    launcher(LaunchPolicy.DEFAULT).launch(request, new RecordingSink());

    Job job = kubelet.awaitJob(JobLabels.jobName(request.runId(), 1));
    assertThat(job.getMetadata().getLabels()).containsEntry("team", "data");
    assertThat(job.getMetadata().getAnnotations()).containsEntry("cost-centre", "etl");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("workload", "flows");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("scratch", "cache");
    Container container = runContainer(pod);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .containsExactly("/scratch", "/cache");
    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .contains("TZ", "LOG_FORMAT", "GANTRY_RUN_ID");
    assertThat(container.getImage()).isEqualTo("registry.example/etl:1.4");
    assertThat(pod.getServiceAccountName()).isEqualTo("gantry-runs");
    assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("100m"));
  }

  @Test
  void aServiceAccountOutsideTheAllowedListIsRefusedWithOneLine() {
    LaunchPolicy policy =
        new LaunchPolicy(
            List.of(), null, null, Set.of("etl", "reports"), false, false, false, false);
    LaunchRequest request = request(Map.of("service-account", "cluster-admin"));

    assertThatThrownBy(() -> launcher(policy).launch(request, new RecordingSink()))
        .isInstanceOf(LaunchException.class)
        .hasMessage(
            "run "
                + request.runId()
                + " of flow 'etl' refused by agent policy: service-account=cluster-admin (flow) is"
                + " not among this agent's allowed service accounts [etl, reports]"
                + " (--allow-service-account)")
        .satisfies(e -> assertThat(((LaunchException) e).outcome()).isEqualTo(RunState.Failed));
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void aPrivilegedContainerOrHostPathInTheFlowsTemplateIsRefusedByDefault() {
    String template =
        """
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              volumes:
                - name: docker
                  hostPath:
                    path: /var/run/docker.sock
              containers:
                - name: flow-run
                  securityContext:
                    privileged: true
        """;
    LaunchRequest request = request(Map.of("job-template", template));

    assertThatThrownBy(() -> launcher(LaunchPolicy.DEFAULT).launch(request, new RecordingSink()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining(
            "host-paths=/var/run/docker.sock (flow) is refused: this agent does not allow host"
                + " paths (--allow-host-paths)")
        .hasMessageContaining("privileged=true (flow) is refused");
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void aSettingKubernetesCannotApplyFailsTheLaunchNamingIt() {
    LaunchRequest request = request(Map.of("cpus", "2"));

    assertThatThrownBy(() -> launcher(LaunchPolicy.DEFAULT).launch(request, new RecordingSink()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("the kubernetes launcher cannot apply run setting cpus (flow)");
  }

  private static Container runContainer(PodSpec pod) {
    return pod.getContainers().stream()
        .filter(c -> JobTemplate.CONTAINER.equals(c.getName()))
        .findFirst()
        .orElseThrow();
  }
}
