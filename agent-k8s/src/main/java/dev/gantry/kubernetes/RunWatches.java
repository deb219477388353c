package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two watches of a Kubernetes launcher: an informer over the run Jobs and one over their pods
 * (labelled {@value JobLabels#MANAGED}{@code =true}) in the namespace. What they report goes to the
 * watched run it concerns.
 */
final class RunWatches {
  private final KubernetesClient client;
  private final String namespace;
  private final WatchedRuns runs;
  private volatile SharedIndexInformer<Job> jobWatch;
  private volatile SharedIndexInformer<Pod> podWatch;

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
   * Starts both watches and waits until they have listed what exists.
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
    try {
      jobWatch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      podWatch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting to watch Jobs", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot watch the Jobs and pods of namespace "
              + namespace
              + " at "
              + client.getMasterUrl()
              + ": "
              + (cause instanceof RuntimeException r ? ApiErrors.describe(r) : cause.toString())
              + (cause instanceof RuntimeException r ? ApiErrors.hint(r, namespace) : ""),
          cause);
    }
  }

  /** Whether both watches are connected (true when not started yet). */
  boolean connected() {
    SharedIndexInformer<Job> jobs = jobWatch;
    SharedIndexInformer<Pod> pods = podWatch;
    return jobs == null || (jobs.isWatching() && pods.isWatching());
  }

  void close() {
    SharedIndexInformer<Job> jobs = jobWatch;
    SharedIndexInformer<Pod> pods = podWatch;
    if (jobs != null) {
      jobs.close();
    }
    if (pods != null) {
      pods.close();
    }
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
