package dev.gantry.kubernetes;

import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a run's Job from its manifest; a run with secrets gets its Job created suspended, then
 * its Secret, owned by the Job, then the Job resumed. A failure deletes what was made and says
 * which step failed.
 */
final class JobLaunch {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);

  private final RunJobs jobs;
  private final WatchedRuns runs;

  JobLaunch(RunJobs jobs, WatchedRuns runs) {
    this.jobs = jobs;
    this.runs = runs;
  }

  /** Creates the Job (and Secret) of {@code run}, which is watched from before it exists. */
  void create(LaunchRequest request, RunJobManifest manifest, String image, JobRun run)
      throws LaunchException {
    String jobName = manifest.jobName();
    runs.watch(run);
    Job created;
    try {
      created = jobs.create(manifest.job());
    } catch (RuntimeException e) {
      runs.forget(run);
      throw new LaunchException(
          "run "
              + request.runId()
              + ": Job "
              + jobName
              + " of image '"
              + image
              + "' could not be created in namespace "
              + jobs.namespace()
              + ": "
              + ApiErrors.describe(e)
              + ApiErrors.hint(e, jobs.namespace()),
          RunState.Crashed,
          ApiErrors.code(e) == ApiErrors.FORBIDDEN ? "JobForbidden" : "JobNotCreated",
          e);
    }
    if (manifest.hasSecrets()) {
      addSecretAndResume(request, manifest, created, run);
    }
    log.debug("run {} launched as Job {} of image {}", request.runId(), jobName, image);
  }

  /** The Job was created suspended: its Secret next, owned by it, then the Job may start. */
  private void addSecretAndResume(
      LaunchRequest request, RunJobManifest manifest, Job created, JobRun run)
      throws LaunchException {
    Secret secret = manifest.secretOwnedBy(created).orElseThrow();
    String step = "its Secret " + manifest.secretName() + " could not be created";
    try {
      jobs.createSecret(secret);
      step = "it could not be resumed after its Secret " + manifest.secretName() + " was created";
      jobs.resume(manifest.jobName());
    } catch (RuntimeException e) {
      runs.forget(run);
      jobs.deleteQuietly(manifest.jobName(), DeletionPropagation.BACKGROUND);
      throw new LaunchException(
          "run "
              + request.runId()
              + ": Job "
              + manifest.jobName()
              + " was deleted because "
              + step
              + " in namespace "
              + jobs.namespace()
              + ": "
              + ApiErrors.describe(e)
              + ApiErrors.hint(e, jobs.namespace()),
          RunState.Crashed,
          "SecretNotCreated",
          e);
    }
  }
}
