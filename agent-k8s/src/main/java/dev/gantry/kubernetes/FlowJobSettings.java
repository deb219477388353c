package dev.gantry.kubernetes;

import dev.gantry.catalog.RunConfig;
import dev.gantry.catalog.RunSettingSource;
import dev.gantry.catalog.RunSettingValue;
import dev.gantry.domain.RunState;
import dev.gantry.flow.environment.RunSetting;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A flow version's run settings as they shape its run's Job: its Job template merged over the
 * agent's, then its resources, service account, pull policy, variables and run timeout ({@code
 * activeDeadlineSeconds}) over the agent's. Also what its template asks for that the agent's policy
 * bounds (privileged, host network, host paths, capabilities, service account).
 */
final class FlowJobSettings {

  /** Every setting the Kubernetes launcher applies. */
  static final Set<RunSetting> APPLIED =
      Set.of(
          RunSetting.ENV,
          RunSetting.RUN_TIMEOUT,
          RunSetting.CPU_REQUEST,
          RunSetting.CPU_LIMIT,
          RunSetting.MEMORY_REQUEST,
          RunSetting.MEMORY_LIMIT,
          RunSetting.SERVICE_ACCOUNT,
          RunSetting.IMAGE_PULL_POLICY,
          RunSetting.JOB_TEMPLATE);

  private FlowJobSettings() {}

  /**
   * The template of this run: the agent's, with the flow's merged over it when it has one.
   *
   * @throws LaunchException (Failed) when the flow's template is not a Job, naming what is wrong
   */
  static JobTemplate templateFor(JobTemplate agent, LaunchRequest request) throws LaunchException {
    Optional<Job> flow;
    try {
      flow = flowTemplate(request);
    } catch (IllegalArgumentException e) {
      throw new LaunchException(
          "run " + request.runId() + ": " + e.getMessage(),
          RunState.Failed,
          "JobTemplateInvalid",
          e);
    }
    if (flow.isEmpty()) {
      return agent;
    }
    String source = sourceOf(request);
    return JobTemplate.of(
        JobTemplateMerge.merge(agent.job(), flow.get(), source + " merged over " + agent.source()),
        source + " merged over " + agent.source());
  }

  private static Optional<Job> flowTemplate(LaunchRequest request) {
    return request
        .flow()
        .runConfig()
        .value(RunSetting.JOB_TEMPLATE)
        .map(yaml -> ManifestYaml.readOne(yaml, Job.class, sourceOf(request)));
  }

  private static String sourceOf(LaunchRequest request) {
    return "the job template of flow '" + request.flow().name() + "' v" + request.flow().version();
  }

  /** Writes the flow's settings into the run's Job, over the agent's. */
  static void applyTo(RunJobManifest manifest, LaunchRequest request) {
    RunConfig config = request.flow().runConfig();
    Job job = manifest.job();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container container =
        pod.getContainers().stream()
            .filter(c -> manifest.container().equals(c.getName()))
            .findFirst()
            .orElseThrow();
    // The flow's service account (setting or template) wins over the agent's --service-account.
    asked(request).value(RunSetting.SERVICE_ACCOUNT).ifPresent(pod::setServiceAccountName);
    config.value(RunSetting.IMAGE_PULL_POLICY).ifPresent(container::setImagePullPolicy);
    config
        .runTimeout()
        .ifPresent(t -> job.getSpec().setActiveDeadlineSeconds(Math.max(1, t.toSeconds())));
    ResourceRequirements resources =
        container.getResources() == null ? new ResourceRequirements() : container.getResources();
    Map<String, Quantity> requests = copy(resources.getRequests());
    Map<String, Quantity> limits = copy(resources.getLimits());
    config.value(RunSetting.CPU_REQUEST).ifPresent(v -> requests.put("cpu", new Quantity(v)));
    config.value(RunSetting.MEMORY_REQUEST).ifPresent(v -> requests.put("memory", new Quantity(v)));
    config.value(RunSetting.CPU_LIMIT).ifPresent(v -> limits.put("cpu", new Quantity(v)));
    config.value(RunSetting.MEMORY_LIMIT).ifPresent(v -> limits.put("memory", new Quantity(v)));
    resources.setRequests(requests.isEmpty() ? null : requests);
    resources.setLimits(limits.isEmpty() ? null : limits);
    container.setResources(resources);
    // The flow's variables replace the agent's of the same name; the bootstrap's still win.
    Map<String, String> flowEnv = config.environment();
    if (!flowEnv.isEmpty()) {
      Map<String, EnvVar> env = new LinkedHashMap<>();
      flowEnv.forEach(
          (name, value) -> {
            if (!request.environment().containsKey(name)
                && !KubernetesSettings.WITHHELD.contains(name)) {
              env.put(name, new EnvVarBuilder().withName(name).withValue(value).build());
            }
          });
      for (EnvVar v : container.getEnv()) {
        env.putIfAbsent(v.getName(), v);
      }
      container.setEnv(new ArrayList<>(env.values()));
    }
  }

  /**
   * The run's settings plus what its flow's template asks for that the agent's policy bounds;
   * unreadable templates add nothing here (the launch refuses them).
   */
  static RunConfig asked(LaunchRequest request) {
    RunConfig config = request.flow().runConfig();
    Optional<Job> flow;
    try {
      flow = flowTemplate(request);
    } catch (IllegalArgumentException e) {
      return config;
    }
    if (flow.isEmpty()
        || flow.get().getSpec() == null
        || flow.get().getSpec().getTemplate() == null
        || flow.get().getSpec().getTemplate().getSpec() == null) {
      return config;
    }
    PodSpec pod = flow.get().getSpec().getTemplate().getSpec();
    List<RunSettingValue> implied = new ArrayList<>(config.settings());
    if (Boolean.TRUE.equals(pod.getHostNetwork())) {
      implied.add(value(RunSetting.HOST_NETWORK, "true"));
    }
    List<String> hostPaths = new ArrayList<>();
    for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      if (v.getHostPath() != null) {
        hostPaths.add(v.getHostPath().getPath());
      }
    }
    if (!hostPaths.isEmpty()) {
      implied.add(value(RunSetting.HOST_PATHS, String.join(",", hostPaths)));
    }
    boolean privileged = false;
    Set<String> caps = new LinkedHashSet<>();
    List<Container> containers = new ArrayList<>();
    if (pod.getContainers() != null) {
      containers.addAll(pod.getContainers());
    }
    if (pod.getInitContainers() != null) {
      containers.addAll(pod.getInitContainers());
    }
    for (Container c : containers) {
      if (c.getSecurityContext() == null) {
        continue;
      }
      privileged |= Boolean.TRUE.equals(c.getSecurityContext().getPrivileged());
      Capabilities capabilities = c.getSecurityContext().getCapabilities();
      if (capabilities != null && capabilities.getAdd() != null) {
        caps.addAll(capabilities.getAdd());
      }
    }
    if (privileged) {
      implied.add(value(RunSetting.PRIVILEGED, "true"));
    }
    if (!caps.isEmpty()) {
      implied.add(value(RunSetting.CAP_ADD, String.join(",", caps)));
    }
    if (pod.getServiceAccountName() != null && config.value(RunSetting.SERVICE_ACCOUNT).isEmpty()) {
      implied.add(value(RunSetting.SERVICE_ACCOUNT, pod.getServiceAccountName()));
    }
    return new RunConfig(implied);
  }

  private static RunSettingValue value(RunSetting setting, String value) {
    return new RunSettingValue(setting.key(), value, RunSettingSource.flow);
  }

  private static Map<String, Quantity> copy(Map<String, Quantity> map) {
    return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
  }
}
