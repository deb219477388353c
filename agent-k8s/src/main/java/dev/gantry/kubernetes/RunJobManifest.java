package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher creates for one run attempt: the Job and, when the run has secrets, a Secret
 * owned by the Job that the run container's variables reference. The Job never holds a secret
 * value. A Job with secrets is created suspended, its Secret next (owned by it), and only then is
 * the Job resumed: no pod starts before its Secret exists, and no Secret exists without its owner.
 *
 * @param job the Job, ready to create
 * @param container the name of the container that runs the bootstrap
 * @param secretName the name the Secret has when there is one
 * @param labels the run attempt's labels, also on the Secret
 * @param secretValues secret name to value; never print it
 */
record RunJobManifest(
    Job job,
    String container,
    String secretName,
    Map<String, String> labels,
    Map<String, String> secretValues) {

  RunJobManifest {
    labels = Map.copyOf(labels);
    secretValues = Map.copyOf(secretValues);
  }

  String jobName() {
    return job.getMetadata().getName();
  }

  boolean hasSecrets() {
    return !secretValues.isEmpty();
  }

  /**
   * The Secret of the run, owned by the created Job (whose uid it needs); empty without secrets.
   */
  Optional<Secret> secretOwnedBy(Job created) {
    if (secretValues.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> data = new LinkedHashMap<>();
    secretValues.forEach(
        (name, value) ->
            data.put(
                name, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    return Optional.of(
        new SecretBuilder()
            .withNewMetadata()
            .withName(secretName)
            .withNamespace(created.getMetadata().getNamespace())
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(created.getMetadata().getName())
                    .withUid(created.getMetadata().getUid())
                    .build())
            .endMetadata()
            .withType("Opaque")
            .withImmutable(true)
            .withData(data)
            .build());
  }

  @Override
  public String toString() {
    // Never print the values.
    return "RunJobManifest[job "
        + jobName()
        + ", container "
        + container
        + ", secrets "
        + secretValues.keySet()
        + "]";
  }
}
