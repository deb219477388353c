package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API calls on the run Jobs, their pods and Secrets in one namespace. Failures surface as the
 * client's exceptions (see {@link ApiErrors}), except where a method says it logs them.
 */
final class RunJobs {
  private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);
  private static final String RESUME = "{\"spec\":{\"suspend\":false}}";

  private final KubernetesClient client;
  private final String namespace;

  RunJobs(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  String namespace() {
    return namespace;
  }

  Job create(Job job) {
    return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
  }

  void createSecret(Secret secret) {
    client.secrets().inNamespace(namespace).resource(secret).create();
  }

  /** Lets a Job created suspended start its pod. */
  void resume(String jobName) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(jobName)
        .patch(PatchContext.of(PatchType.JSON_MERGE), RESUME);
  }

  /** The Job of this name, or null. */
  Job job(String jobName) {
    return client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
  }

  /** The Secret of this name, or null. */
  Secret secret(String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  /** The pods of one run attempt. */
  List<Pod> podsOf(String runId, int attempt) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(JobLabels.ofAttempt(runId, attempt))
        .list()
        .getItems();
  }

  /** The run Jobs of the namespace (labelled {@value JobLabels#MANAGED}{@code =true}). */
  List<Job> managed() {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(JobLabels.MANAGED, "true")
        .list()
        .getItems();
  }

  /** A cheap namespaced read: at most one Job. */
  void listOne() {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .list(new ListOptionsBuilder().withLimit(1L).build());
  }

  void delete(String jobName, DeletionPropagation propagation) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(jobName)
        .withPropagationPolicy(propagation)
        .delete();
  }

  /** Deletes the run's Job; one already gone ends the run, other failures are logged. */
  void deleteOf(JobRun run, DeletionPropagation propagation) {
    try {
      delete(run.jobName, propagation);
    } catch (RuntimeException e) {
      if (ApiErrors.code(e) == ApiErrors.NOT_FOUND) {
        run.onJobDeleted();
        return;
      }
      log.warn("{}: deleting its Job failed: {}", run, ApiErrors.describe(e));
    }
  }

  /** Deletes a Job, logging a failure. */
  void deleteQuietly(String jobName, DeletionPropagation propagation) {
    try {
      delete(jobName, propagation);
    } catch (RuntimeException e) {
      log.warn("Job {} could not be deleted: {}", jobName, ApiErrors.describe(e));
    }
  }

  /** Whether the Job has a true Complete or Failed condition. */
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
}
