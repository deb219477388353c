package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.kubernetes.testing.Launches;
import dev.gantry.kubernetes.testing.MockCluster;
import dev.gantry.kubernetes.testing.RecordingSink;
import dev.gantry.kubernetes.testing.ScriptedKubelet;
import dev.gantry.launch.ExitReport;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.RunExecution;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes launcher against the mock API server, with the kubelet and Job controller played
 * by {@link ScriptedKubelet}: what it creates, how it reads output, and how it classifies each way
 * a run's pod can end.
 */
class KubernetesLauncherTest {
  private static final String NS = "runs";
  private static final Duration QUICK = Duration.ofSeconds(10);
  private static final String RESULT_LINE =
      "::gantry:: {\"event\":\"result\",\"at\":\"2026-01-01T00:00:00Z\",\"state\":\"Success\",\"message\":null}";

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

  private KubernetesLauncher launcher(KubernetesSettings.Builder settings) {
    KubernetesLauncher launcher =
        new KubernetesLauncher(settings.namespace(NS).build(), client, false);
    launchers.add(launcher);
    launcher.prepare();
    return launcher;
  }

  private KubernetesLauncher launcher() {
    return launcher(KubernetesSettings.builder());
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
  void aRunWithSecretsGetsAJobThatHoldsNoValueAndASecretOwnedByTheJob() throws Exception {
    String credentials =
        "{\"ACCESS_KEY\":\"AKIAK8S\",\"SECRET_ACCESS_KEY\":\"s3cr3t-" + System.nanoTime() + "\"}";
    LaunchRequest request =
        Launches.request(
            "etl-s3", "registry.example/gantry:0.1.0", Map.of("AWS_CREDENTIALS", credentials));

    launcher().launch(request, new RecordingSink());

    Job job = kubelet.awaitJob(jobName(request));
    assertThat(job.getMetadata().getLabels())
        .containsEntry(JobLabels.RUN_ID, request.runId())
        .containsEntry(JobLabels.ATTEMPT, "1")
        .containsEntry(JobLabels.AGENT_ID, Launches.AGENT_ID)
        .containsEntry(JobLabels.FLOW, "etl-s3")
        .containsEntry(JobLabels.MANAGED, "true");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    assertThat(job.getSpec().getSuspend()).isFalse();
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(JobLabels.RUN_ID, request.runId());
    var container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/gantry:0.1.0");
    assertThat(container.getCommand()).containsExactly("gantry");
    assertThat(container.getArgs()).containsExactly("execute", "flow-run");
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    EnvVar secretVariable =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("GANTRY_SECRET_AWS_CREDENTIALS"))
            .findFirst()
            .orElseThrow();
    assertThat(secretVariable.getValue()).isNull();
    assertThat(secretVariable.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(JobLabels.secretName(request.runId(), 1));
    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .contains(
            "GANTRY_RUN_ID",
            "GANTRY_BUNDLE_LOCATION",
            "GANTRY_SECRET_NAMES",
            "GANTRY_TERMINATION_LOG");
    String jobJson = ManifestYaml.json(job);
    assertThat(jobJson).doesNotContain("s3cr3t").doesNotContain("AKIAK8S");
    assertThat(jobJson).doesNotContain(base64(credentials));

    Secret secret =
        client.secrets().inNamespace(NS).withName(JobLabels.secretName(request.runId(), 1)).get();
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Job");
              assertThat(owner.getName()).isEqualTo(jobName(request));
              assertThat(owner.getUid()).isEqualTo(job.getMetadata().getUid());
            });
    assertThat(secret.getData()).containsExactly(Map.entry("AWS_CREDENTIALS", base64(credentials)));
    // Created suspended, resumed only after its Secret existed.
    List<String> order =
        cluster.calls().stream()
            .filter(c -> !c.method().equals("GET"))
            .map(c -> c.method() + " " + c.path().replaceAll("\\?.*", ""))
            .toList();
    assertThat(order)
        .containsSubsequence(
            "POST /apis/batch/v1/namespaces/runs/jobs",
            "POST /api/v1/namespaces/runs/secrets",
            "PATCH /apis/batch/v1/namespaces/runs/jobs/" + jobName(request));
  }

  @Test
  void aRunWithoutSecretsGetsNoSecretAndAJobThatStartsAtOnce() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());

    launcher(KubernetesSettings.builder().keepFinishedJobs(true))
        .launch(request, new RecordingSink());

    Job job = kubelet.awaitJob(jobName(request));
    assertThat(job.getSpec().getSuspend()).isNull();
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).as("--keep-finished-jobs").isNull();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(KubernetesSettings.gantryImage());
    assertThat(client.secrets().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void outputIsReadFromThePodLogOnceInOrderAcrossReconnectsAndTheRunEndsWithItsExitCode()
      throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RecordingSink sink = new RecordingSink();
    RunExecution execution = launcher().launch(request, sink);
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    String name = pod.getMetadata().getName();

    kubelet.running(name, "flow-run");
    kubelet.writes(name, "first", "second");
    await().atMost(QUICK).until(() -> sink.lines().size() == 2);
    kubelet.writes(name, "third");
    await().atMost(QUICK).until(() -> sink.lines().size() == 3);
    kubelet.writes(name, RESULT_LINE);
    kubelet.terminated(name, "flow-run", 0, "Completed", RESULT_LINE);

    assertThat(exitOf(execution)).isEqualTo(ExitReport.exited(0));
    assertThat(sink.lines()).containsExactly("first", "second", "third", RESULT_LINE);
    assertThat(cluster.logRequests())
        .as("each reconnect reads from the last line's second on")
        .anySatisfy(path -> assertThat(path).contains("sinceTime="));
  }

  @Test
  void anImagePullFailureFailsTheRunFastInTheKubeletsWordsAndDeletesTheJob() throws Exception {
    LaunchRequest request = Launches.request("etl", "gantry-test/no-such-image:404", Map.of());
    RunExecution execution = launcher().launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    String message =
        "failed to pull and unpack image \"docker.io/gantry-test/no-such-image:404\": pull access"
            + " denied, repository does not exist or may require authorization";

    kubelet.waiting(pod.getMetadata().getName(), "flow-run", "ErrImagePull", message);

    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).as("the flow named the image: Failed, not Crashed").isTrue();
    assertThat(report.reason())
        .contains("ErrImagePull: " + message)
        .contains("gantry-test/no-such-image:404")
        .contains(pod.getMetadata().getName())
        .contains(jobName(request));
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void aPodUnschedulableBeyondTheTimeoutEndsTheRunWithTheSchedulersMessageAndDeletesTheJob()
      throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution =
        launcher(KubernetesSettings.builder().unschedulableTimeout(Duration.ofSeconds(2)))
            .launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    String message = "0/3 nodes are available: 3 Insufficient memory.";

    kubelet.unschedulable(pod.getMetadata().getName(), message, Instant.now());

    assertThat(execution.exit().isDone()).isFalse();
    ExitReport report = exitOf(execution);
    assertThat(report.flowFault()).isFalse();
    assertThat(report.reason())
        .startsWith("Unschedulable: " + message)
        .contains("did not start within 2 s")
        .contains(pod.getMetadata().getName());
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void anOomKilledContainerIsReportedWithItsMemoryLimit() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution =
        launcher(KubernetesSettings.builder().memoryLimit("96Mi"))
            .launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");

    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 137, "OOMKilled", null);

    ExitReport report = exitOf(execution);
    assertThat(report.exitCode()).isEqualTo(137);
    assertThat(report.reason())
        .startsWith("OOMKilled")
        .contains("memory limit of 96Mi")
        .contains(pod.getMetadata().getName());
  }

  @Test
  void anEvictedPodEndsTheRunInTheKubeletsWords() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher().launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");

    kubelet.podFailed(
        pod.getMetadata().getName(), "Evicted", "The node was low on resource: ephemeral-storage.");

    ExitReport report = exitOf(execution);
    assertThat(report.reason())
        .startsWith("Evicted: The node was low on resource: ephemeral-storage.")
        .contains(pod.getMetadata().getName());
  }

  @Test
  void aJobPastItsDeadlineEndsTheRunSayingDeadlineExceeded() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher().launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");

    kubelet.jobCondition(
        jobName(request),
        "Failed",
        "DeadlineExceeded",
        "Job was active longer than specified deadline");
    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 143, "Error", null);

    ExitReport report = exitOf(execution);
    assertThat(report.exitCode()).isEqualTo(143);
    assertThat(report.reason())
        .startsWith("DeadlineExceeded: Job was active longer than specified deadline")
        .contains(jobName(request));
  }

  @Test
  void aJobDeletedFromOutsideEndsTheRunSayingSo() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RunExecution execution = launcher().launch(request, new RecordingSink());
    kubelet.awaitJob(jobName(request));

    client.batch().v1().jobs().inNamespace(NS).withName(jobName(request)).delete();

    ExitReport report = exitOf(execution);
    assertThat(report.reason())
        .isEqualTo(
            "Job "
                + jobName(request)
                + " of run "
                + request.runId()
                + " was deleted from outside the agent");
  }

  @Test
  void cancelDeletesTheJobInTheForegroundAndTheRunEndsOnlyOnceItsPodIsGone() throws Exception {
    LaunchRequest request = Launches.request("sleepy", null, Map.of());
    KubernetesLauncher launcher = launcher();
    RunExecution execution = launcher.launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");

    launcher.cancel(request.runId(), Duration.ofSeconds(5));

    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
    assertThat(
            cluster.calls().stream()
                .filter(c -> c.method().equals("DELETE") && c.path().endsWith(jobName(request))))
        .singleElement()
        .satisfies(
            call -> assertThat(call.body()).contains("\"propagationPolicy\":\"Foreground\""));
    await().during(Duration.ofSeconds(2)).atMost(QUICK).until(() -> !execution.exit().isDone());

    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 143, "Error", null);
    kubelet.deletePod(pod.getMetadata().getName());

    assertThat(exitOf(execution)).isEqualTo(ExitReport.exited(143));
  }

  @Test
  void theLastLinesAreReadWhenThePodIsDeletedRightAfterItsContainerEnded() throws Exception {
    LaunchRequest request = Launches.request("sleepy", null, Map.of());
    RecordingSink sink = new RecordingSink();
    KubernetesLauncher launcher = launcher();
    RunExecution execution = launcher.launch(request, sink);
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    String name = pod.getMetadata().getName();
    kubelet.running(name, "flow-run");
    kubelet.writes(name, "napping");
    await().atMost(QUICK).until(() -> sink.lines().size() == 1);
    launcher.cancel(request.runId(), Duration.ofSeconds(1));
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);

    kubelet.writes(name, "nap cancelled", RESULT_LINE);
    kubelet.terminated(name, "flow-run", 13, "Error", RESULT_LINE);
    kubelet.deletePod(name);

    assertThat(exitOf(execution)).isEqualTo(ExitReport.exited(13));
    assertThat(sink.lines()).containsExactly("napping", "nap cancelled", RESULT_LINE);
  }

  @Test
  void theResultInTheTerminationMessageIsDeliveredWhenTheLogDidNotCarryIt() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    RecordingSink sink = new RecordingSink();
    RunExecution execution = launcher().launch(request, sink);
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");
    kubelet.writes(pod.getMetadata().getName(), "working");

    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 0, "Completed", RESULT_LINE);

    assertThat(exitOf(execution).exitCode()).isZero();
    assertThat(sink.lines()).containsExactly("working", RESULT_LINE);
  }

  @Test
  void anotherLauncherDiscoversTheJobAndReattachesDeliveringOnlyOutputAfterTheCursor()
      throws Exception {
    LaunchRequest request = Launches.request("sleepy", null, Map.of());
    KubernetesLauncher first = launcher();
    RecordingSink firstSink = new RecordingSink();
    first.launch(request, firstSink);
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    String name = pod.getMetadata().getName();
    kubelet.running(name, "flow-run");
    kubelet.writes(name, "stored before the agent died");
    await().atMost(QUICK).until(() -> firstSink.lines().size() == 1);
    first.close();
    Instant cursor = Instant.now();
    await().atMost(QUICK).until(() -> Instant.now().isAfter(cursor.plusMillis(5)));
    kubelet.writes(name, "written while no agent watched");

    KubernetesLauncher second = launcher();
    assertThat(second.discover())
        .containsExactly(
            new Infrastructure(jobName(request), request.runId(), 1, Launches.AGENT_ID, true));
    RecordingSink secondSink = new RecordingSink();
    Optional<RunExecution> found = second.find(request.runId(), 1, cursor, secondSink);
    assertThat(found).isPresent();
    kubelet.writes(name, RESULT_LINE);
    kubelet.terminated(name, "flow-run", 0, "Completed", RESULT_LINE);

    assertThat(exitOf(found.get())).isEqualTo(ExitReport.exited(0));
    assertThat(secondSink.lines()).containsExactly("written while no agent watched", RESULT_LINE);
  }

  @Test
  void findCompletesAtOnceForAJobThatFinishedWhileNoAgentWatched() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of());
    KubernetesLauncher first = launcher();
    first.launch(request, new RecordingSink());
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    first.close();
    kubelet.running(pod.getMetadata().getName(), "flow-run");
    kubelet.writes(pod.getMetadata().getName(), "done", RESULT_LINE);
    kubelet.terminated(pod.getMetadata().getName(), "flow-run", 0, "Completed", RESULT_LINE);
    kubelet.jobCondition(jobName(request), "Complete", null, null);

    KubernetesLauncher second = launcher();
    assertThat(second.discover()).singleElement().satisfies(i -> assertThat(i.running()).isFalse());
    RecordingSink sink = new RecordingSink();
    RunExecution found = second.find(request.runId(), 1, null, sink).orElseThrow();

    assertThat(exitOf(found)).isEqualTo(ExitReport.exited(0));
    assertThat(sink.lines()).containsExactly("done", RESULT_LINE);
  }

  @Test
  void aJobLeftSuspendedWithoutItsSecretIsDeletedAndNotFound() throws Exception {
    LaunchRequest request = Launches.request("etl", null, Map.of("API_TOKEN", "t0ken"));
    RunJobManifest manifest =
        JobTemplate.defaultTemplate()
            .manifestFor(request, KubernetesSettings.defaults(), NS, "gantry:0.1.0");
    client.batch().v1().jobs().inNamespace(NS).resource(manifest.job()).create();

    assertThat(launcher().find(request.runId(), 1, null, new RecordingSink())).isEmpty();
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
  }

  @Test
  void leftOverJobsAreRemovedRunningOrFinishedUnlessFinishedJobsAreKept() throws Exception {
    KubernetesLauncher removing = launcher();
    KubernetesLauncher keeping = launcher(KubernetesSettings.builder().keepFinishedJobs(true));
    LaunchRequest running = Launches.request("sleepy", null, Map.of());
    LaunchRequest finished = Launches.request("etl", null, Map.of());
    removing.launch(running, new RecordingSink());
    removing.launch(finished, new RecordingSink());
    kubelet.awaitJob(jobName(running));
    kubelet.awaitJob(jobName(finished));
    kubelet.jobCondition(jobName(finished), "Complete", null, null);
    Map<String, Infrastructure> found = new java.util.HashMap<>();
    await()
        .atMost(QUICK)
        .untilAsserted(
            () -> {
              keeping.discover().forEach(i -> found.put(i.runId(), i));
              assertThat(found.get(finished.runId()).running()).isFalse();
            });

    keeping.remove(found.get(running.runId()));
    keeping.remove(found.get(finished.runId()));

    await().atMost(QUICK).until(() -> job(jobName(running)) == null);
    assertThat(job(jobName(finished))).as("kept: --keep-finished-jobs").isNotNull();

    removing.remove(found.get(finished.runId()));
    await().atMost(QUICK).until(() -> job(jobName(finished)) == null);
    removing.remove(found.get(finished.runId())); // already gone: no error
  }

  @Test
  void allRunsShareOneWatchOfJobsOneOfPodsAndOneOfJobEvents() throws Exception {
    KubernetesLauncher launcher = launcher();
    for (int i = 0; i < 4; i++) {
      launcher.launch(Launches.request("etl", null, Map.of()), new RecordingSink());
    }

    List<String> watches =
        cluster.calls().stream()
            .filter(c -> c.method().equals("GET") && c.path().contains("watch=true"))
            .map(c -> c.path().replaceAll("\\?.*", ""))
            .toList();
    assertThat(watches)
        .containsExactlyInAnyOrder(
            "/apis/batch/v1/namespaces/runs/jobs",
            "/api/v1/namespaces/runs/pods",
            "/api/v1/namespaces/runs/events");
    assertThat(launcher.watchedRuns()).isEqualTo(4);
  }

  @Test
  void thePlatformIsReachableWhileTheApiServerAnswers() {
    KubernetesLauncher launcher = launcher();
    assertThat(launcher.isPlatformReachable()).isTrue();

    cluster.close();

    await().atMost(QUICK).until(() -> !launcher.isPlatformReachable());
  }

  @Test
  void everyCallTheLauncherMakesIsGrantedByTheInstalledRoleAndEveryGrantIsUsed() throws Exception {
    KubernetesClient agentClient = cluster.newClient("agent");
    KubernetesLauncher launcher =
        new KubernetesLauncher(
            KubernetesSettings.builder().namespace(NS).build(), agentClient, true);
    launchers.add(launcher);
    launcher.prepare();
    LaunchRequest request = Launches.request("etl", null, Map.of("API_TOKEN", "t0k3n"));
    RecordingSink sink = new RecordingSink();
    launcher.launch(request, sink);
    Pod pod = kubelet.createPod(kubelet.awaitJob(jobName(request)));
    kubelet.running(pod.getMetadata().getName(), "flow-run");
    kubelet.writes(pod.getMetadata().getName(), "working");
    await().atMost(QUICK).until(() -> sink.lines().size() == 1);
    assertThat(launcher.isPlatformReachable()).isTrue();
    launcher.cancel(request.runId(), Duration.ofSeconds(1));
    await().atMost(QUICK).until(() -> job(jobName(request)) == null);
    LaunchRequest left = Launches.request("etl", null, Map.of("API_TOKEN", "t0k3n"));
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .resource(
            JobTemplate.defaultTemplate()
                .manifestFor(left, KubernetesSettings.defaults(), NS, "gantry:0.1.0")
                .job())
        .create();
    assertThat(launcher.discover()).isNotEmpty();
    assertThat(launcher.find(left.runId(), 1, null, new RecordingSink())).isEmpty();

    java.util.Set<String> used = new java.util.TreeSet<>();
    for (MockCluster.ApiCall call : cluster.calls()) {
      if ("agent".equals(call.client())) {
        used.add(grantOf(call));
      }
    }
    assertThat(used).isEqualTo(new java.util.TreeSet<>(AgentManifestTest.LEAST_PRIVILEGE));
  }

  /** The RBAC grant "group/resource:verb" a request needs; fails for anything not namespaced. */
  private static String grantOf(MockCluster.ApiCall call) {
    String path = call.path().replaceAll("\\?.*", "");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/"
                    + NS
                    + "/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?")
            .matcher(path);
    assertThat(m.matches())
        .as("a namespaced request: " + call.method() + " " + call.path())
        .isTrue();
    String group = m.group(1) == null ? "" : m.group(1);
    String resource = m.group(2) + (m.group(4) == null ? "" : "/" + m.group(4));
    boolean named = m.group(3) != null;
    String verb =
        switch (call.method()) {
          case "GET" -> call.path().contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PATCH" -> "patch";
          case "PUT" -> "update";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> call.method();
        };
    return group + "/" + resource + ":" + verb;
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
