package dev.gantry.kubernetes;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.storage.image.RunRegistryLogin;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Job a run's Job is made from: the built-in one or the user's {@code --job-template}. The
 * agent merges in what belongs to the run (name, labels, image, command, environment, resources,
 * backoffLimit 0, restartPolicy Never, the TTL) and keeps every other field of the template (node
 * selectors, tolerations, volumes, sidecars, security contexts...) as written.
 */
public final class JobTemplate {
  /** The container that runs the bootstrap when the template names none {@value}. */
  public static final String CONTAINER = "flow-run";

  /** Annotation on a run Job naming the container that runs the bootstrap. */
  public static final String CONTAINER_ANNOTATION = "dev.gantry/container";

  /** Where the bootstrap writes its result line: the container's termination message. */
  public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  private static final String DEFAULT_RESOURCE = "default-job-template.yaml";

  private final Job template;
  private final String source;

  private JobTemplate(Job template, String source) {
    this.template = template;
    this.source = source;
  }

  /** The built-in template: one container {@value #CONTAINER}, no service account token. */
  public static JobTemplate defaultTemplate() {
    try (InputStream in = JobTemplate.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the class path");
      }
      return of(
          ManifestYaml.readOne(
              new String(in.readAllBytes(), StandardCharsets.UTF_8),
              Job.class,
              "the built-in Job template"),
          "the built-in Job template");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in Job template: " + e, e);
    }
  }

  /**
   * Reads a {@code --job-template} file: one Job, read strictly.
   *
   * @throws IllegalArgumentException naming the file and the unknown field or missing part
   */
  public static JobTemplate load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("--job-template " + file + " cannot be read: " + e, e);
    }
    return of(ManifestYaml.readOne(yaml, Job.class, "--job-template " + file), file.toString());
  }

  /** A template from a Job object (copied). */
  public static JobTemplate of(Job job, String source) {
    Job copy = ManifestYaml.copy(Objects.requireNonNull(job, "job"));
    ManifestYaml.requireKnownFields(copy, source);
    return new JobTemplate(copy, source);
  }

  /** Where this template came from, for messages. */
  public String source() {
    return source;
  }

  /** A copy of the template's Job. */
  public Job job() {
    return ManifestYaml.copy(template);
  }

  /**
   * The Job (and, when the run has secrets, the Secret) of one run attempt.
   *
   * @param namespace where they go
   * @param image the image to run
   */
  RunJobManifest manifestFor(
      LaunchRequest request, KubernetesSettings settings, String namespace, String image) {
    String runId = request.runId();
    int attempt = request.run().attempt();
    String jobName = JobLabels.jobName(runId, attempt);
    String secretName = JobLabels.secretName(runId, attempt);
    Map<String, String> labels = JobLabels.of(request);

    Job job = job();
    ObjectMeta meta = job.getMetadata() == null ? new ObjectMeta() : job.getMetadata();
    meta.setName(jobName);
    meta.setGenerateName(null);
    meta.setNamespace(namespace);
    meta.setUid(null);
    meta.setResourceVersion(null);
    meta.setCreationTimestamp(null);
    meta.setOwnerReferences(null);
    meta.setLabels(merged(meta.getLabels(), labels));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(JobLabels.FLOW_NAME_ANNOTATION, request.flow().name());
    annotations.put(JobLabels.FLOW_VERSION_ANNOTATION, Integer.toString(request.flow().version()));
    job.setMetadata(meta);
    job.setStatus(null);

    JobSpec spec = job.getSpec() == null ? new JobSpec() : job.getSpec();
    spec.setBackoffLimit(0);
    spec.setCompletions(1);
    spec.setParallelism(1);
    spec.setCompletionMode(null);
    spec.setSelector(null);
    spec.setManualSelector(null);
    spec.setTtlSecondsAfterFinished(
        settings.keepFinishedJobs()
            ? null
            : (int) Math.min(Integer.MAX_VALUE, settings.finishedJobTtl().toSeconds()));
    job.setSpec(spec);

    PodTemplateSpec pod = spec.getTemplate() == null ? new PodTemplateSpec() : spec.getTemplate();
    ObjectMeta podMeta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    podMeta.setLabels(merged(podMeta.getLabels(), labels));
    pod.setMetadata(podMeta);
    spec.setTemplate(pod);
    PodSpec podSpec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    pod.setSpec(podSpec);
    podSpec.setRestartPolicy("Never");
    if (settings.serviceAccount() != null) {
      podSpec.setServiceAccountName(settings.serviceAccount());
    }
    if (podSpec.getTerminationGracePeriodSeconds() == null) {
      podSpec.setTerminationGracePeriodSeconds(settings.podGracePeriod().toSeconds());
    }
    Set<String> pullSecrets = new LinkedHashSet<>();
    if (podSpec.getImagePullSecrets() != null) {
      podSpec.getImagePullSecrets().forEach(ref -> pullSecrets.add(ref.getName()));
    }
    pullSecrets.addAll(settings.imagePullSecrets());
    // an image-storage flow's image: the kubelet pulls it with the Secret named as its login
    RunRegistryLogin.of(request, image).ifPresent(l -> pullSecrets.add(l.kubernetesName()));
    podSpec.setImagePullSecrets(
        pullSecrets.isEmpty()
            ? null
            : pullSecrets.stream().map(LocalObjectReference::new).toList());

    Container container = runContainer(podSpec);
    annotations.put(CONTAINER_ANNOTATION, container.getName());
    meta.setAnnotations(merged(meta.getAnnotations(), annotations));
    container.setImage(image);
    container.setCommand(List.of("gantry"));
    container.setArgs(List.of("execute", "flow-run"));
    container.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
    container.setTerminationMessagePolicy("FallbackToLogsOnError");
    container.setResources(resources(container.getResources(), settings));

    Map<String, String> secretValues = new LinkedHashMap<>();
    container.setEnv(environment(container.getEnv(), request, settings, secretName, secretValues));
    spec.setSuspend(secretValues.isEmpty() ? null : Boolean.TRUE);
    return new RunJobManifest(job, container.getName(), secretName, labels, secretValues);
  }

  /** The template's {@value #CONTAINER} container, else its first, else a new one. */
  private static Container runContainer(PodSpec podSpec) {
    List<Container> containers =
        podSpec.getContainers() == null ? new ArrayList<>() : podSpec.getContainers();
    podSpec.setContainers(containers);
    for (Container c : containers) {
      if (CONTAINER.equals(c.getName())) {
        return c;
      }
    }
    if (!containers.isEmpty()) {
      Container first = containers.get(0);
      if (first.getName() == null) {
        first.setName(CONTAINER);
      }
      return first;
    }
    Container created = new Container();
    created.setName(CONTAINER);
    containers.add(created);
    return created;
  }

  private static ResourceRequirements resources(
      ResourceRequirements template, KubernetesSettings settings) {
    ResourceRequirements resources = template == null ? new ResourceRequirements() : template;
    Map<String, Quantity> requests = copy(resources.getRequests());
    Map<String, Quantity> limits = copy(resources.getLimits());
    put(requests, "cpu", settings.cpuRequest());
    put(requests, "memory", settings.memoryRequest());
    put(limits, "cpu", settings.cpuLimit());
    put(limits, "memory", settings.memoryLimit());
    resources.setRequests(requests.isEmpty() ? null : requests);
    resources.setLimits(limits.isEmpty() ? null : limits);
    return resources;
  }

  /**
   * The container's variables: the template's, then the agent's {@code --env}, then the run's own
   * bootstrap variables (which win), then each secret as a reference into the run's Secret. Secret
   * values go to {@code secretValues}, never into the list.
   */
  private static List<EnvVar> environment(
      List<EnvVar> template,
      LaunchRequest request,
      KubernetesSettings settings,
      String secretName,
      Map<String, String> secretValues) {
    Map<String, String> run = request.environment();
    Set<String> secretNames = new TreeSet<>();
    for (String name : run.getOrDefault(BootstrapSpec.SECRET_NAMES, "").split(",")) {
      if (!name.isBlank()) {
        secretNames.add(name.trim());
      }
    }
    Set<String> secretVariables = new LinkedHashSet<>();
    secretNames.forEach(name -> secretVariables.add(BootstrapSpec.SECRET_PREFIX + name));

    Map<String, EnvVar> env = new LinkedHashMap<>();
    if (template != null) {
      for (EnvVar variable : template) {
        if (!KubernetesSettings.WITHHELD.contains(variable.getName())) {
          env.put(variable.getName(), variable);
        }
      }
    }
    settings.environment().forEach((name, value) -> env.put(name, plain(name, value)));
    new java.util.TreeMap<>(run)
        .forEach(
            (name, value) -> {
              if (!secretVariables.contains(name) && !KubernetesSettings.WITHHELD.contains(name)) {
                env.remove(name); // re-inserted last: the run's own variables win
                env.put(name, plain(name, value));
              }
            });
    env.remove(BootstrapSpec.TERMINATION_LOG);
    env.put(
        BootstrapSpec.TERMINATION_LOG,
        plain(BootstrapSpec.TERMINATION_LOG, TERMINATION_MESSAGE_PATH));
    for (String name : secretNames) {
      String variable = BootstrapSpec.SECRET_PREFIX + name;
      String value = run.get(variable);
      if (value == null) {
        continue;
      }
      secretValues.put(name, value);
      env.remove(variable);
      env.put(
          variable,
          new EnvVarBuilder()
              .withName(variable)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(secretName)
              .withKey(name)
              .withOptional(false)
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return new ArrayList<>(env.values());
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static Map<String, String> merged(Map<String, String> base, Map<String, String> ours) {
    Map<String, String> out = new LinkedHashMap<>();
    if (base != null) {
      out.putAll(base);
    }
    out.putAll(ours);
    return out;
  }

  private static Map<String, Quantity> copy(Map<String, Quantity> map) {
    return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
  }

  private static void put(Map<String, Quantity> map, String key, String value) {
    if (value != null) {
      map.put(key, new Quantity(value));
    }
  }
}
