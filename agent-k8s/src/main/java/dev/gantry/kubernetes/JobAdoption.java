package dev.gantry.kubernetes;

import dev.gantry.launch.OutputSink;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Job of a run attempt and takes it over: a running one is watched and followed from here
 * on, a finished one has its output delivered and completes with its pod's end. A Job left
 * suspended (its agent died between creating it and its Secret) is resumed when the Secret exists,
 * else deleted and not found.
 */
final class JobAdoption {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);

  private final RunJobs jobs;
  private final WatchedRuns runs;
  private final JobRun.Timeouts timeouts;
  private final Consumer<JobRun> replayJobEvents;
  private final Function<Instant, JobRun.Platform> platform;

  /**
   * @param replayJobEvents hands an adopted run the Events about its Job already watched (a
   *     FailedCreate recorded while no agent watched)
   * @param platform what an adopted run needs, given the instant after which its output is new
   */
  JobAdoption(
      RunJobs jobs,
      WatchedRuns runs,
      JobRun.Timeouts timeouts,
      Consumer<JobRun> replayJobEvents,
      Function<Instant, JobRun.Platform> platform) {
    this.jobs = jobs;
    this.runs = runs;
    this.timeouts = timeouts;
    this.replayJobEvents = replayJobEvents;
    this.platform = platform;
  }

  /**
   * The watched run of this attempt, else its Job taken over, else empty.
   *
   * @throws IllegalStateException when the API server cannot be asked
   */
  Optional<JobRun> find(String runId, int attempt, Instant outputSince, OutputSink output) {
    String jobName = JobLabels.jobName(runId, attempt);
    JobRun known = runs.ofJob(jobName);
    if (known != null) {
      return Optional.of(known);
    }
    Job job;
    List<Pod> pods;
    try {
      job = jobs.job(jobName);
      if (job == null || job.getMetadata().getDeletionTimestamp() != null) {
        return Optional.empty();
      }
      if (Boolean.TRUE.equals(job.getSpec().getSuspend()) && !resumeLeftJob(job, runId, attempt)) {
        return Optional.empty();
      }
      pods = jobs.podsOf(runId, attempt);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot look for Job "
              + jobName
              + " of run "
              + runId
              + " in namespace "
              + jobs.namespace()
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
        new JobRun(runId, attempt, container, null, output, timeouts, platform.apply(outputSince));
    runs.watch(run);
    pods.forEach(run::onPod);
    run.onJob(job);
    if (pods.isEmpty()) {
      replayJobEvents.accept(run);
    }
    boolean finished = RunJobs.finished(job);
    if (pods.isEmpty() && finished) {
      run.noPodLeft();
    }
    log.info(
        "run {}: found its Job {} ({})",
        runId,
        jobName,
        finished ? "finished" : "running; re-attached");
    return Optional.of(run);
  }

  /** Resumes a Job left suspended when its Secret exists; else deletes it and returns false. */
  private boolean resumeLeftJob(Job job, String runId, int attempt) {
    String secretName = JobLabels.secretName(runId, attempt);
    Secret secret = jobs.secret(secretName);
    if (secret == null) {
      log.warn(
          "run {}: Job {} was left suspended without its Secret {} (its agent stopped while"
              + " launching it); deleting it",
          runId,
          job.getMetadata().getName(),
          secretName);
      jobs.deleteQuietly(job.getMetadata().getName(), DeletionPropagation.BACKGROUND);
      return false;
    }
    jobs.resume(job.getMetadata().getName());
    return true;
  }
}
