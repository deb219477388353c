package dev.gantry.kubernetes;

import dev.gantry.catalog.RunConfig;
import dev.gantry.launch.Infrastructure;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.launch.Launcher;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.launch.RunSettingCheck;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each flow run as a Kubernetes Job of the image its flow names (else the default image),
 * running {@code gantry execute flow-run} with the run's bootstrap environment; its secrets go in a
 * Secret owned by the Job, referenced from the container.
 *
 * <p>Watching costs two watches in all, not one per run ({@link RunWatches}). Each run's {@link
 * JobRun} decides from what they report; its output is read from the pod's log (see {@link
 * PodLogFollower}), and the bootstrap's result also travels in the container's termination message.
 * Creating a run's Job is {@link JobLaunch}'s job, taking one over after a restart {@link
 * JobAdoption}'s, the API calls {@link RunJobs}'.
 */
public final class KubernetesLauncher implements Launcher {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REACHABLE_TIMEOUT = Duration.ofSeconds(3);

  private final KubernetesSettings settings;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String namespace;
  private final JobTemplate template;
  private final LauncherThreads threads = new LauncherThreads();
  private final WatchedRuns runs = new WatchedRuns();
  private final RunJobs jobs;
  private final RunWatches watches;
  private final JobLaunch launches;
  private final JobAdoption adoption;

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
    this.jobs = new RunJobs(client, namespace);
    this.watches = new RunWatches(client, namespace, runs);
    this.launches = new JobLaunch(jobs, runs);
    this.adoption =
        new JobAdoption(
            jobs,
            runs,
            JobRun.Timeouts.of(settings),
            watches::replayJobEvents,
            outputSince -> new RunJobPlatform(client, jobs, threads, outputSince));
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
    if (watches.started()) {
      return;
    }
    watches.start(SYNC_TIMEOUT);
    threads.every(TICK, this::tick);
    log.info("watching run Jobs and pods in namespace {} at {}", namespace, client.getMasterUrl());
  }

  @Override
  public RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException {
    prepare();
    String image = imageOf(request);
    RunSettingCheck.applicable(
        request, request.flow().runConfig(), kind(), FlowJobSettings.APPLIED);
    RunJobManifest manifest =
        FlowJobSettings.templateFor(template, request)
            .manifestFor(request, settings, namespace, image);
    FlowJobSettings.applyTo(manifest, request);
    JobRun run =
        new JobRun(
            request.runId(),
            request.run().attempt(),
            manifest.container(),
            image,
            output,
            JobRun.Timeouts.of(settings),
            new RunJobPlatform(client, jobs, threads, null));
    launches.create(request, manifest, image, run);
    return run;
  }

  @Override
  public RunConfig asked(LaunchRequest request) {
    return FlowJobSettings.asked(request);
  }

  /** The flow environment's image, else the default image. */
  String imageOf(LaunchRequest request) {
    String image = request.image();
    return image != null && !image.isBlank() ? image.trim() : settings.effectiveDefaultImage();
  }

  /**
   * Finds the Job of a run attempt and takes it over (see {@link JobAdoption}).
   *
   * @throws IllegalStateException when the API server cannot be asked
   */
  @Override
  public Optional<RunExecution> find(
      String runId, int attempt, Instant outputSince, OutputSink output) {
    prepare();
    return adoption.find(runId, attempt, outputSince, output).map(run -> run);
  }

  @Override
  public List<Infrastructure> discover() {
    List<Job> managed;
    try {
      managed = jobs.managed();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot list the run Jobs of namespace " + namespace + ": " + ApiErrors.describe(e), e);
    }
    List<Infrastructure> found = new ArrayList<>();
    for (Job job : managed) {
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
    for (JobRun run : runs.all()) {
      if (run.runId.equals(runId)) {
        run.cancelRequested();
        threads.work(() -> jobs.deleteOf(run, DeletionPropagation.FOREGROUND));
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
      jobs.delete(infrastructure.id(), DeletionPropagation.BACKGROUND);
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
      CompletableFuture.runAsync(jobs::listOne, threads.workers())
          .get(REACHABLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false;
    }
    return watches.connected();
  }

  /** Runs this launcher watches now. */
  public int watchedRuns() {
    return runs.size();
  }

  /** Stops watching. Jobs keep running: a later agent finds them by their labels. */
  @Override
  public void close() {
    watches.close();
    threads.close();
    if (ownsClient) {
      client.close();
    }
  }

  /** Lets each run check its deadlines; one that gave up on its pod has its Job deleted. */
  private void tick() {
    Instant now = Instant.now();
    for (JobRun run : runs.all()) {
      try {
        if (run.tick(now)) {
          threads.work(() -> jobs.deleteOf(run, DeletionPropagation.FOREGROUND));
        }
      } catch (RuntimeException e) {
        log.warn("{}: checking it failed: {}", run, e.toString());
      }
    }
  }

  /** Whether the Job has ended (a true Complete or Failed condition). */
  static boolean finished(Job job) {
    return RunJobs.finished(job);
  }
}
