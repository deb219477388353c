package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.kubernetes.testing.MockCluster;
import dev.gantry.kubernetes.testing.RecordingSink;
import dev.gantry.kubernetes.testing.ScriptedKubelet;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunExecution;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run's Job that gets no pod, and a pod whose image cannot be pulled, against the mock API in
 * CRUD mode. No controller runs there: where the real Job controller would record a {@code
 * FailedCreate} Event on the Job (admission refusal, quota, missing service account), the test
 * creates that Event itself ({@link ScriptedKubelet#failedCreate}), exactly as the
 * controller-manager writes it. A definite refusal ends the run Failed at once (flow fault); one
 * that may pass (quota, an unreachable webhook, no word at all) ends it Crashed after the
 * pod-creation timeout, which the agent retries within the flow's infrastructure-retry budget.
 */
class PodCreationAndImagePullTest {
  private static final String NS = "runs";
  private static final Duration QUICK = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofSeconds(2);

  private MockCluster cluster;
  private KubernetesClient client;
  private ScriptedKubelet kubelet;
  private final List<KubernetesLauncher> launchers = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    client = cluster.client();
    kubelet = new ScriptedKubelet(cluster, NS);
  }

  @AfterEach
  void stop() {
    launchers.forEach(KubernetesLauncher::close);
    cluster.close();
  }

  private KubernetesLauncher launcher(Duration podCreationTimeout) {
    KubernetesLauncher launcher =
        new KubernetesLauncher(
            KubernetesSettings.builder()
                .namespace(NS)
                .podCreationTimeout(podCreationTimeout)
                .build(),
            client,
            false);
    launchers.add(launcher);
    launcher.prepare();
    return launcher;
  }

  private static String jobName(LaunchRequest request) {
    return JobLabels.jobName(request.runId(), request.run().attempt());
  }

  private Job job(String name) {
    return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  private static ExitReport exitOf(RunExecution execution) {
    return await().atMost(QUICK).until(() -> execution.exit().getNow(null), r -> r != null);
  }

  @Test
  void anAdmissionRefusalFailsTheRunAtOnceWithTheEventsMessageAndDeletesTheJob() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    // The default timeout (2 min) is far beyond the wait below: the refusal itself ends the run.
    RunExecution execution = launcher(Duration.ofMinutes(2)).launch(request, new RecordingSink());
    Job job = kubelet.awaitJob(jobName(request));
    String message =
        "Error creating: pods \""
            + jobName(request)
            + "-x7k2p\" is forbidden: violates PodSecurity \"restricted:latest\":"
            + " allowPrivilegeEscalation != false (container \"flow-run\" must set"
            + " securityContext.allowPrivilegeEscalation=false)";

    kubelet.failedCreate(job, message);

    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).as("a definite refusal: Failed, not retried").isTrue();
    assertThat(report.reason())
        .startsWith("FailedCreate: " + message)
        .contains("Job " + jobName(request))
        .contains("no pod could be created");
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void aMissingServiceAccountFailsTheRunAtOnceWithTheEventsMessage() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher(Duration.ofMinutes(2)).launch(request, new RecordingSink());
    Job job = kubelet.awaitJob(jobName(request));
    String message =
        "Error creating: pods \""
            + jobName(request)
            + "-x7k2p\" is forbidden: error looking up service account runs/flow-runner:"
            + " serviceaccount \"flow-runner\" not found";

    kubelet.failedCreate(job, message);

    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).isTrue();
    assertThat(report.reason()).startsWith("FailedCreate: " + message);
  }

  @Test
  void anExceededQuotaEndsTheRunCrashedWithTheQuotaMessageOnceThePodCreationTimeoutPassed()
      throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    Instant launched = Instant.now();
    RunExecution execution = launcher(SHORT).launch(request, new RecordingSink());
    Job job = kubelet.awaitJob(jobName(request));
    String message =
        "Error creating: pods \""
            + jobName(request)
            + "-x7k2p\" is forbidden: exceeded quota: compute-resources, requested:"
            + " limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi";

    kubelet.failedCreate(job, message);

    await().during(Duration.ofMillis(800)).atMost(QUICK).until(() -> !execution.exit().isDone());
    ExitReport report = exitOf(execution);
    assertThat(Duration.between(launched, Instant.now())).isGreaterThanOrEqualTo(SHORT);
    assertThat(report.flowFault()).as("quota may free up: Crashed, retried").isFalse();
    assertThat(report.reason())
        .startsWith("no pod was created for Job " + jobName(request) + " within 2 s")
        .contains("FailedCreate: " + message)
        .contains("the Job was deleted");
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void aJobWithNoPodAndNoEventEndsCrashedAfterThePodCreationTimeout() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher(SHORT).launch(request, new RecordingSink());
    kubelet.awaitJob(jobName(request));

    ExitReport report = exitOf(execution);

    assertThat(report.flowFault()).isFalse();
    assertThat(report.exitCode()).isEqualTo(-1);
    assertThat(report.reason())
        .isEqualTo(
            "no pod was created for Job " + jobName(request) + " within 2 s; the Job was deleted");
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void aPodCreatedAfterAQuotaRefusalStopsThePodCreationClock() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher(SHORT).launch(request, new RecordingSink());
    Job job = kubelet.awaitJob(jobName(request));
    kubelet.failedCreate(
        job, "Error creating: pods \"x\" is forbidden: exceeded quota: pods, limited: pods=4");

    Pod pod = kubelet.createPod(job);
    kubelet.running(pod.getMetadata().getName(), "flow-run");

    await().during(Duration.ofSeconds(3)).atMost(QUICK).until(() -> !execution.exit().isDone());
    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 0, "Completed", null);
    assertThat(exitOf(execution)).isEqualTo(ExitReport.exited(0));
  }

  @Test
  void anAdoptedJobWithoutAPodEndsWithTheRefusalTheControllerRecordedWhileNoAgentWatched()
      throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    KubernetesLauncher first = launcher(Duration.ofMinutes(2));
    first.launch(request, new RecordingSink());
    Job job = kubelet.awaitJob(jobName(request));
    first.close();
    String message =
        "Error creating: admission webhook \"policy.example.com\" denied the request: images"
            + " must come from registry.example";
    kubelet.failedCreate(job, message);

    RunExecution found =
        launcher(Duration.ofMinutes(2))
            .find(request.runId(), 1, null, new RecordingSink())
            .orElseThrow();

    ExitReport report = exitOf(found);
    assertThat(report.flowFault()).isTrue();
    assertThat(report.reason()).startsWith("FailedCreate: " + message);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "failed to pull and unpack image \"registry.example/etl:1\": failed to resolve reference"
            + " \"registry.example/etl:1\": failed to do request: Head"
            + " \"https://registry.example/v2/etl/manifests/1\": dial tcp 10.0.0.7:443: i/o timeout",
        "rpc error: code = Unknown desc = Error response from daemon: Get"
            + " \"https://registry.example/v2/\": net/http: request canceled while waiting for"
            + " connection (Client.Timeout exceeded while awaiting headers)",
        "failed to pull and unpack image \"registry.example/etl:1\": failed to copy: httpReadSeeker:"
            + " failed open: unexpected status code https://registry.example/v2/etl/blobs/sha256:"
            + "ab12: 503 Service Unavailable",
        "failed to pull and unpack image \"docker.io/library/etl:1\": failed to resolve reference:"
            + " dial tcp: lookup registry-1.docker.io on 10.96.0.10:53: read udp: connection"
            + " refused"
      })
  void aTransientImagePullErrorEndsTheRunCrashedInTheKubeletsWordsAndDeletesTheJob(String message)
      throws Exception {
    LaunchRequest request = Launches.request("etl", "registry.example/etl:1", Map.of());
    RunExecution execution = launcher(Duration.ofMinutes(2)).launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));

    kubelet.waiting(pod.getMetadata().getName(), "flow-run", "ErrImagePull", message);

    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).as("the registry may answer next time: Crashed").isFalse();
    assertThat(report.reason())
        .startsWith("ErrImagePull: " + message)
        .contains("registry.example/etl:1")
        .contains(pod.getMetadata().getName())
        .contains("may succeed on a later attempt");
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "failed to pull and unpack image \"registry.example/etl:404\": failed to resolve reference"
            + " \"registry.example/etl:404\": registry.example/etl:404: not found",
        "rpc error: code = Unknown desc = Error response from daemon: manifest for"
            + " registry.example/etl:404 not found: manifest unknown: manifest unknown",
        "failed to pull and unpack image \"registry.example/private:1\": failed to resolve"
            + " reference \"registry.example/private:1\": failed to authorize: failed to fetch"
            + " oauth token: unexpected status: 401 Unauthorized"
      })
  void aDefiniteImagePullErrorFailsTheRunAtOnce(String message) throws Exception {
    LaunchRequest request = Launches.request("etl", "registry.example/etl:404", Map.of());
    RunExecution execution = launcher(Duration.ofMinutes(2)).launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));

    kubelet.waiting(pod.getMetadata().getName(), "flow-run", "ErrImagePull", message);

    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).as("no such image, or not ours to pull: Failed").isTrue();
    assertThat(report.reason()).startsWith("ErrImagePull: " + message);
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }
}
