package dev.gantry.kubernetes;

import dev.gantry.domain.RunState;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each flow run as a Kubernetes Job of the image its flow names (else the default image),
 * running {@code gantry execute flow-run} with the run's bootstrap environment; its secrets go in a
 * Secret owned by the Job, referenced from the container.
 *
 * <p>Watching costs two watches in all, not one per run: an informer over the Jobs and one over the
 * pods labelled {@value JobLabels#MANAGED}{@code =true} in the namespace. Each run's {@link JobRun}
 * decides from what they report; its output is read from the pod's log (see {@link
 * PodLogFollower}), and the bootstrap's result also travels in the container's termination message.
 */
public final class KubernetesLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REACHABLE_TIMEOUT = Duration.ofSeconds(3);
  private static final String RESUME = "{\"spec\":{\"suspend\":false}}";

  private final KubernetesSettings settings;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String namespace;
  private final JobTemplate template;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor workers;
  private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
  private volatile SharedIndexInformer<Job> jobWatch;
  private volatile SharedIndexInformer<Pod> podWatch;

  /** A launcher with the cluster found as usual: in a pod its service account, else kubeconfig. */
  public KubernetesLauncher(KubernetesSettings settings) {
    this(settings, new KubernetesClientBuilder().build(), true);
  }

  /**
   * @param client the cluster's client
   * @param ownsClient whether {@link #close()} closes it
   */
  public KubernetesLauncher(
      KubernetesSettings settings, KubernetesClient client, boolean ownsClient) {
    this.settings = settings;
    this.client = client;
    this.ownsClient = ownsClient;
    this.namespace =
        settings.namespace() != null
            ? settings.namespace()
            : client.getNamespace() != null ? client.getNamespace() : "default";
    this.template =
        settings.jobTemplate() == null
            ? JobTemplate.defaultTemplate()
            : JobTemplate.of(settings.jobTemplate(), "--job-template");
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("gantry-k8s-timer", null));
    this.workers =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("gantry-k8s-worker-", new AtomicInteger()));
    workers.allowCoreThreadTimeOut(true);
  }

  /** Containers and Jobs keep running without their agent; the next agent adopts them. */
  @Override
  public boolean infrastructureOutlivesAgent() {
    return true;
  }

  @Override
  public String kind() {
    return "kubernetes";
  }

  /** The namespace of the run Jobs. */
  public String namespace() {
    return namespace;
  }

  public KubernetesSettings settings() {
    return settings;
  }

  /** Starts the two watches and waits until they have listed what exists. */
  @Override
  public synchronized void prepare() {
    if (jobWatch != null) {
      return;
    }
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
      jobWatch.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      podWatch.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
    timer.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    log.info("watching run Jobs and pods in namespace {} at {}", namespace, client.getMasterUrl());
  }

  // ---- launch ---------------------------------------------------------------------------------

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    prepare();
    String image = imageOf(request);
    RunJobManifest manifest = template.manifestFor(request, settings, namespace, image);
    JobRun run =
        new JobRun(
            request.runId(),
            request.run().attempt(),
            manifest.container(),
            image,
            output,
            settings.unschedulableTimeout(),
            new RunPlatform());
    String jobName = manifest.jobName();
    runs.put(jobName, run);
    run.exit().whenComplete((report, error) -> runs.remove(jobName, run));
    Job created;
    try {
      created = client.batch().v1().jobs().inNamespace(namespace).resource(manifest.job()).create();
    } catch (RuntimeException e) {
      runs.remove(jobName, run);
      throw new LaunchException(
          "run "
              + request.runId()
              + ": Job "
              + jobName
              + " of image '"
              + image
              + "' could not be created in namespace "
              + namespace
              + ": "
              + ApiErrors.describe(e)
              + ApiErrors.hint(e, namespace),
          RunState.Crashed,
          ApiErrors.code(e) == ApiErrors.FORBIDDEN ? "JobForbidden" : "JobNotCreated",
          e);
    }
    if (manifest.hasSecrets()) {
      addSecretAndResume(request, manifest, created, run);
    }
    log.debug("run {} launched as Job {} of image {}", request.runId(), jobName, image);
    return run;
  }

  /** The Job was created suspended: its Secret next, owned by it, then the Job may start. */
  private void addSecretAndResume(
      LaunchRequest request, RunJobManifest manifest, Job created, JobRun run)
      throws LaunchException {
    Secret secret = manifest.secretOwnedBy(created).orElseThrow();
    String step = "its Secret " + manifest.secretName() + " could not be created";
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
      step = "it could not be resumed after its Secret " + manifest.secretName() + " was created";
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(manifest.jobName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), RESUME);
    } catch (RuntimeException e) {
      runs.remove(manifest.jobName(), run);
      deleteQuietly(manifest.jobName(), DeletionPropagation.BACKGROUND);
      throw new LaunchException(
          "run "
              + request.runId()
              + ": Job "
              + manifest.jobName()
              + " was deleted because "
              + step
              + " in namespace "
              + namespace
              + ": "
              + ApiErrors.describe(e)
              + ApiErrors.hint(e, namespace),
          RunState.Crashed,
          "SecretNotCreated",
          e);
    }
  }

  /** The flow environment's image, else the default image. */
  String imageOf(LaunchRequest request) {
    String image = request.image();
    return image != null && !image.isBlank() ? image.trim() : settings.effectiveDefaultImage();
  }

  // ---- find, discover, cancel -----------------------------------------------------------------

  /**
   * Finds the Job of a run attempt and takes it over: a running one is watched and followed from
   * here on, a finished one has its output delivered and completes with its pod's end. A Job left
   * suspended (its agent died between creating it and its Secret) is resumed when the Secret
   * exists, else deleted and not found.
   *
   * @throws IllegalStateException when the API server cannot be asked
   */
  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    prepare();
    String jobName = JobLabels.jobName(runId, attempt);
    JobRun known = runs.get(jobName);
    if (known != null) {
      return Optional.of(known);
    }
    Job job;
    List<Pod> pods;
    try {
      job = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
      if (job == null || job.getMetadata().getDeletionTimestamp() != null) {
        return Optional.empty();
      }
      if (Boolean.TRUE.equals(job.getSpec().getSuspend()) && !resumeLeftJob(job, runId, attempt)) {
        return Optional.empty();
      }
      pods =
          client
              .pods()
              .inNamespace(namespace)
              .withLabels(JobLabels.ofAttempt(runId, attempt))
              .list()
              .getItems();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot look for Job "
              + jobName
              + " of run "
              + runId
              + " in namespace "
              + namespace
              + ": "
              + ApiErrors.describe(e),
          e);
    }
    Map<String, String> annotations = job.getMetadata().getAnnotations();
    String container =
        annotations == null
            ? JobTemplate.CONTAINER
            : annotations.getOrDefault(JobTemplate.CONTAINER_ANNOTATION, JobTemplate.CONTAINER);
    JobRun run =
        new JobRun(
            runId,
            attempt,
            container,
            null,
            output,
            settings.unschedulableTimeout(),
            new RunPlatform(outputSince));
    runs.put(jobName, run);
    run.exit().whenComplete((report, error) -> runs.remove(jobName, run));
    pods.forEach(run::onPod);
    run.onJob(job);
    if (pods.isEmpty() && finished(job)) {
      run.noPodLeft();
    }
    log.info(
        "run {}: found its Job {} ({})",
        runId,
        jobName,
        finished(job) ? "finished" : "running; re-attached");
    return Optional.of(run);
  }

  /** Resumes a Job left suspended when its Secret exists; else deletes it and returns false. */
  private boolean resumeLeftJob(Job job, String runId, int attempt) {
    String secretName = JobLabels.secretName(runId, attempt);
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    if (secret == null) {
      log.warn(
          "run {}: Job {} was left suspended without its Secret {} (its agent stopped while"
              + " launching it); deleting it",
          runId,
          job.getMetadata().getName(),
          secretName);
      deleteQuietly(job.getMetadata().getName(), DeletionPropagation.BACKGROUND);
      return false;
    }
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(job.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), RESUME);
    return true;
  }

  @Override
  public List<Infrastructure> discover() {
    List<Job> jobs;
    try {
      jobs =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .withLabel(JobLabels.MANAGED, "true")
              .list()
              .getItems();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot list the run Jobs of namespace " + namespace + ": " + ApiErrors.describe(e), e);
    }
    List<Infrastructure> found = new ArrayList<>();
    for (Job job : jobs) {
      Map<String, String> labels = job.getMetadata().getLabels();
      if (labels == null || labels.get(JobLabels.RUN_ID) == null) {
        continue;
      }
      found.add(
          new Infrastructure(
              job.getMetadata().getName(),
              labels.get(JobLabels.RUN_ID),
              JobLabels.attempt(labels),
              labels.get(JobLabels.AGENT_ID),
              !finished(job)));
    }
    return found;
  }

  /**
   * Deletes the run's Job with foreground propagation: its pod is stopped (SIGTERM, then SIGKILL
   * after the pod's termination grace period, which the agent sets from its cancel grace) and the
   * run's exit completes once the Job and its pod are gone.
   */
  @Override
  public void cancel(String runId, Duration grace) {
    for (JobRun run : runs.values()) {
      if (run.runId.equals(runId)) {
        run.cancelRequested();
        work(() -> delete(run, DeletionPropagation.FOREGROUND));
      }
    }
  }

  /**
   * Deletes a Job the agent's reconciliation found left over (its run ended, or moved to another
   * attempt), with background propagation: a pod that still runs is stopped. A finished Job stays
   * when the agent keeps finished Jobs ({@code --keep-finished-jobs}); the Secret goes with its
   * Job.
   */
  @Override
  public void remove(Infrastructure infrastructure) {
    if (!infrastructure.running() && settings.keepFinishedJobs()) {
      return;
    }
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(infrastructure.id())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    } catch (RuntimeException e) {
      if (ApiErrors.code(e) != ApiErrors.NOT_FOUND) {
        throw new IllegalStateException(
            "cannot delete Job "
                + infrastructure.id()
                + " of run "
                + infrastructure.runId()
                + " in namespace "
                + namespace
                + ": "
                + ApiErrors.describe(e),
            e);
      }
    }
  }

  /** Whether the API server answers (a cheap, namespaced read) and both watches are connected. */
  @Override
  public boolean isPlatformReachable() {
    try {
      java.util.concurrent.CompletableFuture.supplyAsync(
              () ->
                  client
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(namespace)
                      .list(new ListOptionsBuilder().withLimit(1L).build()),
              workers)
          .get(REACHABLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false;
    }
    SharedIndexInformer<Job> jobs = jobWatch;
    SharedIndexInformer<Pod> pods = podWatch;
    return jobs == null || (jobs.isWatching() && pods.isWatching());
  }

  /** Runs this launcher watches now. */
  public int watchedRuns() {
    return runs.size();
  }

  /** Stops watching. Jobs keep running: a later agent finds them by their labels. */
  @Override
  public void close() {
    SharedIndexInformer<Job> jobs = jobWatch;
    SharedIndexInformer<Pod> pods = podWatch;
    if (jobs != null) {
      jobs.close();
    }
    if (pods != null) {
      pods.close();
    }
    timer.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ownsClient) {
      client.close();
    }
  }

  // ---- watches --------------------------------------------------------------------------------

  private final class JobEvents implements ResourceEventHandler<Job> {
    @Override
    public void onAdd(Job job) {
      JobRun run = runs.get(job.getMetadata().getName());
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
      JobRun run = runs.get(job.getMetadata().getName());
      if (run != null) {
        run.onJobDeleted();
      }
    }
  }

  private final class PodEvents implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      JobRun run = runOf(pod);
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
      JobRun run = runOf(pod);
      if (run != null) {
        run.onPodDeleted(pod);
      }
    }

    private JobRun runOf(Pod pod) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (labels == null || labels.get(JobLabels.RUN_ID) == null) {
        return null;
      }
      return runs.get(JobLabels.jobName(labels.get(JobLabels.RUN_ID), JobLabels.attempt(labels)));
    }
  }

  private void tick() {
    Instant now = Instant.now();
    for (JobRun run : runs.values()) {
      try {
        if (run.tick(now)) {
          work(() -> delete(run, DeletionPropagation.FOREGROUND));
        }
      } catch (RuntimeException e) {
        log.warn("{}: checking it failed: {}", run, e.toString());
      }
    }
  }

  // ---- what runs need -------------------------------------------------------------------------

  private final class RunPlatform implements JobRun.Platform {
    private final Instant outputSince;

    RunPlatform() {
      this(null);
    }

    RunPlatform(Instant outputSince) {
      this.outputSince = outputSince;
    }

    @Override
    public PodLogFollower follower(JobRun run, String pod) {
      return new PodLogFollower(
          "run " + run.runId + ", pod " + pod,
          (sinceTime, out) -> {
            var logs =
                client
                    .pods()
                    .inNamespace(namespace)
                    .withName(pod)
                    .inContainer(run.container)
                    .withReadyWaitTimeout(0)
                    .usingTimestamps();
            return sinceTime == null ? logs.watchLog(out) : logs.sinceTime(sinceTime).watchLog(out);
          },
          run::deliver,
          outputSince,
          timer);
    }

    @Override
    public void deleteJob(JobRun run, boolean foreground) {
      work(
          () ->
              delete(
                  run,
                  foreground ? DeletionPropagation.FOREGROUND : DeletionPropagation.BACKGROUND));
    }

    @Override
    public void execute(Runnable task) {
      work(task);
    }
  }

  private void delete(JobRun run, DeletionPropagation propagation) {
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(run.jobName)
          .withPropagationPolicy(propagation)
          .delete();
    } catch (RuntimeException e) {
      if (ApiErrors.code(e) == ApiErrors.NOT_FOUND) {
        run.onJobDeleted();
        return;
      }
      log.warn("{}: deleting its Job failed: {}", run, ApiErrors.describe(e));
    }
  }

  private void deleteQuietly(String jobName, DeletionPropagation propagation) {
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(jobName)
          .withPropagationPolicy(propagation)
          .delete();
    } catch (RuntimeException e) {
      log.warn("Job {} could not be deleted: {}", jobName, ApiErrors.describe(e));
    }
  }

  static boolean finished(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition condition : job.getStatus().getConditions()) {
      if (("Complete".equals(condition.getType()) || "Failed".equals(condition.getType()))
          && "True".equals(condition.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private void work(Runnable task) {
    try {
      workers.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Kubernetes launcher task failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException closing) {
      // the launcher is closing
    }
  }

  private static ThreadFactory daemon(String name, AtomicInteger counter) {
    return r -> {
      Thread t = new Thread(r, counter == null ? name : name + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
