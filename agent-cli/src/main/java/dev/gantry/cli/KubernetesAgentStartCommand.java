package dev.gantry.cli;

import dev.gantry.kubernetes.JobTemplate;
import dev.gantry.kubernetes.KubernetesSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gantry agent start kubernetes}: runs each flow run as a Kubernetes Job. */
@Command(
    name = "kubernetes",
    mixinStandardHelpOptions = true,
    description = {
      "Start an agent that runs each flow run as a Kubernetes Job of the image its flow names"
          + " (else --default-image, else the Gantry image of this version).",
      "The cluster: inside a pod, its service account; elsewhere the kubeconfig (KUBECONFIG or"
          + " ~/.kube/config).",
      "Stops gracefully on SIGTERM or Ctrl-C; the Jobs of an agent that died keep running and are"
          + " found again by their labels."
    })
public final class KubernetesAgentStartCommand extends AgentStartCommand<KubernetesSettings> {

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "Namespace of the run Jobs (default: the agent's own, or the kubeconfig's).")
  String namespace;

  @Option(
      names = "--service-account",
      paramLabel = "NAME",
      description = "Service account of the run pods (default: the template's, else 'default').")
  String serviceAccount;

  @Option(
      names = "--image-pull-secrets",
      paramLabel = "A,B",
      split = ",",
      description = "Secrets the kubelet pulls run images with.")
  List<String> imagePullSecrets = new ArrayList<>();

  @Option(
      names = "--job-template",
      paramLabel = "FILE",
      description =
          "A Job in YAML every run Job starts from; the agent merges in image, command,"
              + " environment, resources and labels and keeps the rest (node selectors,"
              + " tolerations, volumes...).")
  Path jobTemplate;

  @Option(names = "--cpu-request", paramLabel = "Q", description = "CPU request, e.g. 500m.")
  String cpuRequest;

  @Option(names = "--cpu-limit", paramLabel = "Q", description = "CPU limit, e.g. 2.")
  String cpuLimit;

  @Option(names = "--memory-request", paramLabel = "Q", description = "Memory request, e.g. 512Mi.")
  String memoryRequest;

  @Option(names = "--memory-limit", paramLabel = "Q", description = "Memory limit, e.g. 1Gi.")
  String memoryLimit;

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description =
          "A variable set in every run container; the run's own variables win. Repeatable.")
  List<String> environment = new ArrayList<>();

  @Option(
      names = "--keep-finished-jobs",
      description = "Keep finished Jobs (and their pods) until deleted by hand.")
  boolean keepFinishedJobs;

  @Option(
      names = "--finished-job-ttl",
      defaultValue = "10m",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long Kubernetes keeps a finished Job before deleting it (default ${DEFAULT-VALUE}).")
  Duration finishedJobTtl;

  @Option(
      names = "--unschedulable-timeout",
      defaultValue = "5m",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a run's pod may stay unschedulable (or unable to create its container) before"
              + " the run ends Crashed (default ${DEFAULT-VALUE}).")
  Duration unschedulableTimeout;

  @Option(
      names = "--pod-creation-timeout",
      defaultValue = "2m",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a run's Job may stay without a pod (quota exceeded, an unreachable admission"
              + " webhook, or no word from the Job controller) before the run ends Crashed and is"
              + " retried within its infrastructure-retry budget (default ${DEFAULT-VALUE}). A"
              + " definite refusal (admission denied, missing service account) ends it Failed at"
              + " once.")
  Duration podCreationTimeout;

  @Option(
      names = "--default-image",
      paramLabel = "IMAGE",
      description = "The image of flows whose environment names none (default: gantry:VERSION).")
  String defaultImage;

  /** A cluster configured and its API reachable, or one line saying what is missing. */
  @Override
  protected void checkPlatform() {
    KubernetesCluster.ofThisProcess().check();
  }

  @Override
  protected String kind() {
    return "kubernetes";
  }

  @Override
  protected Class<KubernetesSettings> settingsType() {
    return KubernetesSettings.class;
  }

  @Override
  public KubernetesSettings settings() {
    return KubernetesSettings.builder()
        .namespace(namespace)
        .serviceAccount(serviceAccount)
        .imagePullSecrets(
            imagePullSecrets.stream().map(String::trim).filter(s -> !s.isEmpty()).toList())
        .jobTemplate(jobTemplate == null ? null : JobTemplate.load(jobTemplate).job())
        .cpuRequest(cpuRequest)
        .cpuLimit(cpuLimit)
        .memoryRequest(memoryRequest)
        .memoryLimit(memoryLimit)
        .environment(KubernetesSettings.parseEnvironment(environment))
        .keepFinishedJobs(keepFinishedJobs)
        .finishedJobTtl(finishedJobTtl)
        .unschedulableTimeout(unschedulableTimeout)
        .podCreationTimeout(podCreationTimeout)
        .podGracePeriod(cancelGrace)
        .defaultImage(defaultImage)
        .build();
  }
}
