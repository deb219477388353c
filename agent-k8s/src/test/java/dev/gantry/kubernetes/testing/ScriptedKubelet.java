package dev.gantry.kubernetes.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventSourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The kubelet and Job controller as a test script: the test says what happens to a Job's pod
 * (scheduled or not, image pulled or not, output, end) and this writes it into the mock API as the
 * real components would, so the launcher under test sees only API objects and pod logs. For runs of
 * real containers see {@link PodSimulator}.
 */
public final class ScriptedKubelet {
  private final MockCluster cluster;
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, List<String>> output = new ConcurrentHashMap<>();
  private final java.util.Set<String> started = ConcurrentHashMap.newKeySet();

  public ScriptedKubelet(MockCluster cluster, String namespace) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.namespace = namespace;
  }

  /** Waits for the Job to exist and not be suspended, and returns it. */
  public Job awaitJob(String jobName) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get(),
            job -> job != null && !Boolean.TRUE.equals(job.getSpec().getSuspend()));
  }

  /** Creates the Job's pod as the Job controller does: its template, Pending, labels and owner. */
  public Pod createPod(Job job) {
    String name = job.getMetadata().getName() + "-x7k2p";
    Map<String, String> labels =
        new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", job.getMetadata().getName());
    labels.put("controller-uid", job.getMetadata().getUid());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(job.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    output.put(name, new ArrayList<>());
    cluster.servePodLogs(
        namespace,
        name,
        container -> {
          // Answered on the API server's own thread: no API calls in here.
          if (!started.contains(name)) {
            return null;
          }
          List<String> log = output.get(name);
          synchronized (log) {
            return List.copyOf(log);
          }
        });
    return client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** The scheduler cannot place the pod. */
  public void unschedulable(String pod, String message, Instant since) {
    status(
        pod,
        s -> {
          s.setConditions(
              List.of(
                  new PodConditionBuilder()
                      .withType("PodScheduled")
                      .withStatus("False")
                      .withReason("Unschedulable")
                      .withMessage(message)
                      .withLastTransitionTime(since.toString())
                      .build()));
          return s;
        });
  }

  /** The run container waits, e.g. ErrImagePull with the kubelet's message. */
  public void waiting(String pod, String container, String reason, String message) {
    containerStatus(
        pod,
        container,
        "Pending",
        new ContainerStateBuilder()
            .withNewWaiting()
            .withReason(reason)
            .withMessage(message)
            .endWaiting()
            .build());
  }

  public void running(String pod, String container) {
    started.add(pod);
    containerStatus(
        pod,
        container,
        "Running",
        new ContainerStateBuilder()
            .withNewRunning()
            .withStartedAt(Instant.now().toString())
            .endRunning()
            .build());
  }

  /** Lines the container writes now. */
  public void writes(String pod, String... lines) {
    List<String> log = output.get(pod);
    synchronized (log) {
      for (String line : lines) {
        log.add(Instant.now() + " " + line);
      }
    }
  }

  /** The container ends; the Job controller marks the Job Complete or Failed. */
  public void terminated(
      String pod, String container, int exitCode, String reason, String message) {
    started.add(pod);
    containerStatus(
        pod,
        container,
        exitCode == 0 ? "Succeeded" : "Failed",
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(exitCode)
            .withReason(reason)
            .withMessage(message)
            .withFinishedAt(Instant.now().toString())
            .endTerminated()
            .build());
  }

  /** The pod fails as a whole (Evicted, DeadlineExceeded) with the kubelet's words. */
  public void podFailed(String pod, String reason, String message) {
    status(
        pod,
        s -> {
          s.setPhase("Failed");
          s.setReason(reason);
          s.setMessage(message);
          return s;
        });
  }

  /** The Job controller sets a condition (Complete, Failed with DeadlineExceeded...). */
  public void jobCondition(String job, String type, String reason, String message) {
    Job current = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
    JobStatus status = current.getStatus() == null ? new JobStatus() : current.getStatus();
    status.setConditions(
        List.of(
            new JobConditionBuilder()
                .withType(type)
                .withStatus("True")
                .withReason(reason)
                .withMessage(message)
                .build()));
    current.setStatus(status);
    client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
  }

  /**
   * The Job controller could not create the Job's pod: it records a {@code FailedCreate} Warning
   * Event whose involvedObject is the Job, with the API server's refusal as its message (for
   * example {@code Error creating: pods "..." is forbidden: exceeded quota: ...}). No controller
   * runs against the mock, so the test writes the Event the real controller-manager would.
   */
  public void failedCreate(Job job, String message) {
    String now = Instant.now().toString();
    client
        .v1()
        .events()
        .inNamespace(namespace)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(job.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(
                    new ObjectReferenceBuilder()
                        .withApiVersion("batch/v1")
                        .withKind("Job")
                        .withName(job.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(job.getMetadata().getUid())
                        .build())
                .withType("Warning")
                .withReason("FailedCreate")
                .withMessage(message)
                .withSource(new EventSourceBuilder().withComponent("job-controller").build())
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .build())
        .create();
  }

  public void deletePod(String pod) {
    client.pods().inNamespace(namespace).withName(pod).delete();
  }

  private void containerStatus(
      String pod,
      String container,
      String phase,
      io.fabric8.kubernetes.api.model.ContainerState state) {
    status(
        pod,
        s -> {
          ContainerStatus cs =
              new ContainerStatusBuilder()
                  .withName(container)
                  .withState(state)
                  .withImage(imageOf(pod, container))
                  .withReady(state.getRunning() != null)
                  .build();
          s.setContainerStatuses(List.of(cs));
          s.setPhase(phase);
          return s;
        });
  }

  private String imageOf(String pod, String container) {
    Pod current = client.pods().inNamespace(namespace).withName(pod).get();
    return current.getSpec().getContainers().stream()
        .filter(c -> container.equals(c.getName()))
        .findFirst()
        .orElseThrow()
        .getImage();
  }

  private void status(String pod, UnaryOperator<PodStatus> change) {
    Pod current = client.pods().inNamespace(namespace).withName(pod).get();
    PodStatus status = current.getStatus() == null ? new PodStatus() : current.getStatus();
    current.setStatus(change.apply(status));
    client.pods().inNamespace(namespace).resource(current).updateStatus();
  }
}
