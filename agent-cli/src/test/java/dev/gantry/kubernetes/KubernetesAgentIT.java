package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.flow.storage.Local;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.supervision.Redactor;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.S3ProxyServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes agent end to end: in-process agents with the Kubernetes launcher against the mock
 * API server, every Job's pod run by the pod simulator as a real container of the Gantry image,
 * flows on local storage (a volume shared with the pods) and on S3 (S3Proxy, with the
 * AWS_CREDENTIALS secret), on the embedded H2 backend.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesAgentIT {
  private static final Duration RUN_TIME = KubernetesGantry.RUN_TIME;
  private static final String BUCKET = "gantry-flows";
  // Each agent has a label of its own, and each run the label of the agent meant to take it.
  private static final String MAIN = "k8s-main";
  private static final String TINY_MEMORY = "k8s-tiny-memory";
  private static final String NOWHERE = "k8s-nowhere";

  @TempDir static Path dir;
  private KubernetesGantry gantry;
  private S3ProxyServer s3;
  private Agent main;
  private Agent s3Agent;

  @BeforeAll
  void start() throws Exception {
    gantry = new KubernetesGantry(dir);
    for (String factory :
        List.of(
            "dev.gantry.examples.Etl#etl",
            "dev.gantry.examples.Failing#failing",
            "dev.gantry.examples.Sleepy#sleepy")) {
      gantry.local.registerExample(factory);
    }
    s3 = S3ProxyServer.start(dir.resolve("s3"));
    s3.createBucket(BUCKET);
    Path credentials = Files.writeString(dir.resolve("aws.json"), s3.credentialsJson());
    gantry.gantry("secret", "set", "AWS_CREDENTIALS", "--from-file", credentials.toString());
    Files.delete(credentials);
    for (String factory :
        List.of("dev.gantry.examples.Printer#echoEnv", "dev.gantry.examples.S3Flows#etlOnS3")) {
      gantry.gantry(
          "flow",
          "register",
          "--jar",
          ExamplesJar.path().toString(),
          "--factory",
          factory,
          "--storage",
          "s3://" + BUCKET + "/k8s-e2e",
          "--s3-endpoint",
          s3.endpoint(),
          "--s3-credentials-secret",
          "AWS_CREDENTIALS");
    }
    // Finished Jobs are kept, so the tests can look at what the agents created.
    KubernetesSettings shared =
        KubernetesSettings.builder()
            .jobTemplate(gantry.sharedStorageTemplate())
            .keepFinishedJobs(true)
            .build();
    main = gantry.startAgent("k8s-e2e", Set.of(Local.hostName(), MAIN), shared, SecretSource.NONE);
    s3Agent =
        gantry.startAgent(
            "k8s-s3",
            Set.of("s3-flow-storage"),
            KubernetesSettings.builder().keepFinishedJobs(true).build(),
            BackendSecretSource.of(gantry.local.client.backend(), gantry.home()));
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aFlowOnLocalStorageRunsAsAJobInTheGantryImageToSuccess() {
    FlowRun run = gantry.runFor(MAIN, "etl", Map.of("rows", "10"));

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(done.agentId()).isEqualTo(main.id());
    assertThat(history(run))
        .containsExactly(
            RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Success);
    assertThat(tasks(run))
        .containsEntry("extract", TaskState.SUCCESS)
        .containsEntry("load", TaskState.SUCCESS);
    assertThat(gantry.logs(run.id()))
        .anySatisfy(l -> assertThat(l.message()).contains("loaded 10 rows"));
    assertThat(gantry.duplicateLogs(run.id())).isEmpty();

    Job job = gantry.job(run.id(), 1);
    assertThat(job.getMetadata().getLabels())
        .containsEntry(JobLabels.RUN_ID, run.id())
        .containsEntry(JobLabels.FLOW, "etl")
        .containsEntry(JobLabels.AGENT_ID, main.id())
        .containsEntry(JobLabels.ATTEMPT, "1")
        .containsEntry(JobLabels.MANAGED, "true");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getType()).isEqualTo("Complete"));
    Pod pod = gantry.pods(run.id()).get(0);
    Container container = pod.getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(gantry.image);
    assertThat(pod.getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getName()).isEqualTo("flow-storage"));
    assertThat(
            pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
        .as("the bootstrap's result in the termination message")
        .contains("\"event\":\"result\"")
        .contains("\"state\":\"Success\"");
  }

  @Test
  void aFailingFlowFailsTheRunWithTheTasksMessage() {
    FlowRun done = gantry.local.awaitEnd(gantry.runFor(MAIN, "failing", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("explode").contains("the warehouse is on fire");
    assertThat(tasks(done)).containsEntry("explode", TaskState.FAILED);
  }

  @Test
  void aFlowOnS3WithAwsCredentialsRunsToSuccessAndNoSecretValueAppearsInAnyObject() {
    FlowRun run =
        gantry.local.client.createRun(
            "echo-env", Map.of("variable", "GANTRY_SECRET_AWS_CREDENTIALS"), Set.of());

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(done.agentId()).isEqualTo(s3Agent.id());
    assertThat(done.labels()).containsExactly("s3-flow-storage");
    assertThat(gantry.logs(run.id()))
        .as("the secret reached the container, and its value was masked")
        .anySatisfy(
            l ->
                assertThat(l.message())
                    .isEqualTo("GANTRY_SECRET_AWS_CREDENTIALS=" + Redactor.MASK));

    Job job = gantry.job(run.id(), 1);
    Secret secret =
        gantry
            .cluster
            .client()
            .secrets()
            .inNamespace(KubernetesGantry.NAMESPACE)
            .withName(JobLabels.secretName(run.id(), 1))
            .get();
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
    EnvVar reference =
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("GANTRY_SECRET_AWS_CREDENTIALS"))
            .findFirst()
            .orElseThrow();
    assertThat(reference.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(secret.getMetadata().getName());

    Map<String, String> objects = gantry.cluster.objectsAsYaml(KubernetesGantry.NAMESPACE);
    assertThat(objects)
        .containsKeys(
            "Job/" + job.getMetadata().getName(), "Secret/" + secret.getMetadata().getName());
    for (Map.Entry<String, String> object : objects.entrySet()) {
      String text =
          object.getKey().startsWith("Secret/gantry-run-")
              ? withoutData(object.getValue())
              : object.getValue();
      for (String value : secretForms()) {
        assertThat(text).as(object.getKey()).doesNotContain(value);
      }
    }
  }

  @Test
  void aFlowsImageThatCannotBePulledFailsTheRunFastAndItsJobIsDeleted() {
    Instant created = Instant.now();
    FlowRun run = gantry.local.client.createRun("etl-s3", Map.of(), Set.of());

    FlowRun done = gantry.local.awaitEnd(run.id(), Duration.ofSeconds(30));

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message())
        .contains("ErrImagePull")
        .contains("gantry:latest")
        .contains("pull access denied")
        .contains(JobLabels.jobName(run.id(), 1));
    assertThat(history(done)).doesNotContain(RunState.Running);
    assertThat(Duration.between(created, done.endedAt())).isLessThan(Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(15)).until(() -> gantry.job(run.id(), 1) == null);
  }

  @Test
  void anOomKilledRunEndsCrashedSayingOomKilled() {
    // The run's JVM commits and touches a 192 MiB heap at once in a container limited to 96 MiB.
    gantry.startAgent(
        "k8s-tiny-memory",
        Set.of(Local.hostName(), TINY_MEMORY),
        KubernetesSettings.builder()
            .jobTemplate(gantry.sharedStorageTemplate())
            .memoryLimit("96Mi")
            .environment(Map.of("GANTRY_JAVA_OPTS", "-Xms192m -Xmx192m -XX:+AlwaysPreTouch"))
            .build(),
        SecretSource.NONE);

    FlowRun done =
        gantry.local.awaitEnd(gantry.runFor(TINY_MEMORY, "etl", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message())
        .contains("OOMKilled")
        .contains("memory limit of 96Mi")
        .contains("exit code 137");
  }

  @Test
  void cancellingARunDeletesItsJobAndTheRunIsCancelledOnceItsPodIsGone() {
    FlowRun run = gantry.runFor(MAIN, "sleepy", Map.of("seconds", "120"));
    gantry.local.awaitState(run.id(), RunState.Running, RUN_TIME);
    Pod pod = gantry.awaitPod(run.id());
    await().atMost(RUN_TIME).until(() -> tasks(run).get("nap") == TaskState.RUNNING);
    String container = gantry.simulator.containerOf(pod.getMetadata().getName());
    assertThat(container).isNotNull();

    assertThat(gantry.local.client.cancel(run.id())).isEqualTo(RunState.Cancelling);

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);
    assertThat(done.state()).isEqualTo(RunState.Cancelled);
    assertThat(gantry.pods(run.id())).as("pods when the run is Cancelled").isEmpty();
    assertThat(gantry.job(run.id(), 1)).as("Job when the run is Cancelled").isNull();
    assertThat(tasks(done)).containsEntry("nap", TaskState.CANCELLED);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !gantry.simulator.containerExists(container));
  }

  @Test
  void aRunWhosePodCannotBeScheduledEndsCrashedInTheSchedulersWords() {
    Job gpuOnly =
        new JobBuilder(gantry.sharedStorageTemplate())
            .editSpec()
            .editTemplate()
            .editSpec()
            .withNodeSelector(Map.of("pool", "gpu"))
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    gantry.startAgent(
        "k8s-nowhere",
        Set.of(Local.hostName(), NOWHERE),
        KubernetesSettings.builder()
            .jobTemplate(gpuOnly)
            .unschedulableTimeout(Duration.ofSeconds(3))
            .build(),
        SecretSource.NONE);

    FlowRun run = gantry.runFor(NOWHERE, "etl", Map.of());
    FlowRun done = gantry.local.awaitEnd(run.id(), Duration.ofSeconds(60));

    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message())
        .contains("Unschedulable: 0/1 nodes are available")
        .contains("didn't match Pod's node affinity/selector")
        .contains("did not start within 3 s");
    await().atMost(Duration.ofSeconds(15)).until(() -> gantry.job(run.id(), 1) == null);
  }

  /** The secret's values, their parts and their base64 forms (how a Secret's data holds them). */
  private List<String> secretForms() {
    List<String> values = List.of(s3.credentialsJson(), s3.accessKey(), s3.secretKey());
    List<String> forms = new ArrayList<>(values);
    for (String value : values) {
      forms.add(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    }
    return forms;
  }

  /** A run Secret's YAML without its data: the one place the values belong. */
  private static String withoutData(String yaml) {
    return yaml.replaceAll("(?ms)^data:\\n(  .*?\\n)+", "data: (values)\n");
  }

  private List<RunState> history(FlowRun run) {
    return gantry.local.client.backend().runs().history(run.id()).stream()
        .map(StateChange::state)
        .toList();
  }

  private Map<String, TaskState> tasks(FlowRun run) {
    Map<String, TaskState> out = new LinkedHashMap<>();
    for (TaskRun task : gantry.local.client.backend().runs().taskRuns(run.id())) {
      out.put(task.taskName(), task.state());
    }
    return out;
  }
}
