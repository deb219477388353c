package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * What a {@link JobRun} needs from its launcher: a follower of its pod's log, deleting its Job, and
 * a worker thread away from the watches.
 */
final class RunJobPlatform implements JobRun.Platform {
  private final KubernetesClient client;
  private final RunJobs jobs;
  private final LauncherThreads threads;
  private final Instant outputSince;

  /**
   * @param outputSince deliver only the pod's output written after this instant; null for all
   */
  RunJobPlatform(
      KubernetesClient client, RunJobs jobs, LauncherThreads threads, Instant outputSince) {
    this.client = client;
    this.jobs = jobs;
    this.threads = threads;
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
                  .inNamespace(jobs.namespace())
                  .withName(pod)
                  .inContainer(run.container)
                  .withReadyWaitTimeout(0)
                  .usingTimestamps();
          return sinceTime == null ? logs.watchLog(out) : logs.sinceTime(sinceTime).watchLog(out);
        },
        run::deliver,
        outputSince,
        threads.timer());
  }

  @Override
  public void deleteJob(JobRun run, boolean foreground) {
    threads.work(
        () ->
            jobs.deleteOf(
                run, foreground ? DeletionPropagation.FOREGROUND : DeletionPropagation.BACKGROUND));
  }

  @Override
  public void execute(Runnable task) {
    threads.work(task);
  }
}
