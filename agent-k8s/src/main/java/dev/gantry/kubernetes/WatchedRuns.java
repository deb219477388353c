package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs a Kubernetes launcher watches now, by Job name; a run leaves when its exit completes.
 */
final class WatchedRuns {
  private final Map<String, JobRun> runs = new ConcurrentHashMap<>();

  /** Watches {@code run} until its exit completes. */
  void watch(JobRun run) {
    runs.put(run.jobName, run);
    run.exit().whenComplete((report, error) -> runs.remove(run.jobName, run));
  }

  /** Stops watching {@code run} (its launch failed). */
  void forget(JobRun run) {
    runs.remove(run.jobName, run);
  }

  /** The run of this Job, or null. */
  JobRun ofJob(String jobName) {
    return runs.get(jobName);
  }

  /** The run whose Job made this pod (by the pod's labels), or null. */
  JobRun ofPod(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.get(JobLabels.RUN_ID) == null) {
      return null;
    }
    return runs.get(JobLabels.jobName(labels.get(JobLabels.RUN_ID), JobLabels.attempt(labels)));
  }

  Collection<JobRun> all() {
    return runs.values();
  }

  int size() {
    return runs.size();
  }
}
