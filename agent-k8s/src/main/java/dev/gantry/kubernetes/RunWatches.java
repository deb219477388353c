package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The three watches of a Kubernetes launcher, in the namespace: an informer over the run Jobs and
 * one over their pods (labelled {@value JobLabels#MANAGED}{@code =true}), and one over the Events
 * about Jobs ({@code involvedObject.kind=Job}), where the Job controller says why it cannot create
 * a pod ({@code FailedCreate}). What they report goes to the watched run it concerns; Events about
 * other Jobs are dropped.
 */
final class RunWatches {
  private final KubernetesClient client;
  private final String namespace;
  private final WatchedRuns runs;
  private volatile SharedIndexInformer<Job> jobWatch;
  private volatile SharedIndexInformer<Pod> podWatch;
  private volatile SharedIndexInformer<Event> eventWatch;

  RunWatches(KubernetesClient client, String namespace, WatchedRuns runs) {
    this.client = client;
    this.namespace = namespace;
    this.runs = runs;
  }

  /** Whether {@link #start} was called. */
  boolean started() {
    return jobWatch != null;
  }

  /**
   * Starts the watches and waits until they have listed what exists.
   *
   * @throws IllegalStateException when they cannot list within {@code timeout}
   */
  void start(Duration timeout) {
    jobWatch =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withLabel(JobLabels.MANAGED, "true")
            .inform(new JobEvents(), 0);
    podWatch =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(JobLabels.MANAGED, "true")
            .inform(new PodEvents(), 0);
    eventWatch =
        client
            .v1()
            .events()
            .inNamespace(namespace)
            .withField("involvedObject.kind", "Job")
            .inform(new JobEventEvents(), 0);
    try {
      jobWatch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      podWatch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      eventWatch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting to watch Jobs", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot watch the Jobs, pods and Job events of namespace "
              + namespace
              + " at "
              + client.getMasterUrl()
              + ": "
              + (cause instanceof RuntimeException r ? ApiErrors.describe(r) : cause.toString())
              + (cause instanceof RuntimeException r ? ApiErrors.hint(r, namespace) : ""),
          cause);
    }
  }

  /** Whether the watches are connected (true when not started yet). */
  boolean connected() {
    SharedIndexInformer<Job> jobs = jobWatch;
    SharedIndexInformer<Pod> pods = podWatch;
    SharedIndexInformer<Event> events = eventWatch;
    return jobs == null || (jobs.isWatching() && pods.isWatching() && events.isWatching());
  }

  /** Hands {@code run} the Events about its Job seen so far (for a Job taken over). */
  void replayJobEvents(JobRun run) {
    SharedIndexInformer<Event> events = eventWatch;
    if (events == null) {
      return;
    }
    events.getStore().list().stream()
        .filter(e -> concerns(e, run.jobName))
        .sorted(Comparator.comparing(RunWatches::lastSeen))
        .forEach(e -> run.onJobEvent(e.getReason(), e.getMessage()));
  }

  void close() {
    for (SharedIndexInformer<?> watch :
        new SharedIndexInformer<?>[] {jobWatch, podWatch, eventWatch}) {
      if (watch != null) {
        watch.close();
      }
    }
  }

  private static boolean concerns(Event event, String jobName) {
    ObjectReference object = event.getInvolvedObject();
    return object != null && "Job".equals(object.getKind()) && jobName.equals(object.getName());
  }

  private static String lastSeen(Event event) {
    String at =
        event.getLastTimestamp() != null ? event.getLastTimestamp() : event.getFirstTimestamp();
    return at == null ? "" : at;
  }

  private final class JobEvents implements ResourceEventHandler<Job> {
    @Override
    public void onAdd(Job job) {
      JobRun run = runs.ofJob(job.getMetadata().getName());
      if (run != null) {
        run.onJob(job);
      }
    }

    @Override
    public void onUpdate(Job before, Job job) {
      onAdd(job);
    }

    @Override
    public void onDelete(Job job, boolean finalStateUnknown) {
      JobRun run = runs.ofJob(job.getMetadata().getName());
      if (run != null) {
        run.onJobDeleted();
      }
    }
  }

  private final class JobEventEvents implements ResourceEventHandler<Event> {
    @Override
    public void onAdd(Event event) {
      ObjectReference object = event.getInvolvedObject();
      if (object == null || !"Job".equals(object.getKind()) || object.getName() == null) {
        return;
      }
      JobRun run = runs.ofJob(object.getName());
      if (run != null && concerns(event, run.jobName)) {
        run.onJobEvent(event.getReason(), event.getMessage());
      }
    }

    @Override
    public void onUpdate(Event before, Event event) {
      onAdd(event); // the controller counts a repeated refusal up on the same Event
    }

    @Override
    public void onDelete(Event event, boolean finalStateUnknown) {}
  }

  private final class PodEvents implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      JobRun run = runs.ofPod(pod);
      if (run != null) {
        run.onPod(pod);
      }
    }

    @Override
    public void onUpdate(Pod before, Pod pod) {
      onAdd(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      JobRun run = runs.ofPod(pod);
      if (run != null) {
        run.onPodDeleted(pod);
      }
    }
  }
}
