package dev.gantry.cli;

import dev.gantry.kubernetes.AgentManifest;
import dev.gantry.kubernetes.KubernetesSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gantry agent install kubernetes}: prints the manifest that deploys a Kubernetes agent, for
 * {@code kubectl apply -f -}.
 */
@Command(
    name = "kubernetes",
    mixinStandardHelpOptions = true,
    description = {
      "Print the manifest that deploys a Kubernetes agent: a ServiceAccount, a Role with only what"
          + " the agent does, its RoleBinding and a Deployment running `agent start kubernetes`.",
      "The agent reads its database URL and secret key from a Secret you create first (keys "
          + AgentManifest.DB_URL_KEY
          + " and "
          + AgentManifest.SECRET_KEY_KEY
          + ").",
      "Apply with: gantry agent install kubernetes -l s3-flow-storage | kubectl apply -f -"
    })
public final class KubernetesInstallCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** What flows may ask of the installed agent, passed on to its command line. */
  @Mixin AgentPolicyOptions policy;

  @Option(
      names = "--namespace",
      defaultValue = "gantry",
      paramLabel = "NS",
      description = "Namespace of the agent and its runs (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = {"-l", "--label"},
      paramLabel = "LABEL",
      description = "A label of the agent. Repeat for several.")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description =
          "The Gantry image, for the agent and as the runs' default (default: gantry:VERSION).")
  String image;

  @Option(
      names = "--image-pull-secrets",
      paramLabel = "A,B",
      split = ",",
      description = "Secrets to pull the agent's and the runs' images with.")
  List<String> imagePullSecrets = new ArrayList<>();

  @Option(
      names = "--service-account",
      defaultValue = AgentManifest.NAME,
      paramLabel = "NAME",
      description = "The agent's service account (default ${DEFAULT-VALUE}).")
  String serviceAccount;

  @Option(
      names = "--job-service-account",
      paramLabel = "NAME",
      description = "The run pods' service account (default: the namespace's default).")
  String jobServiceAccount;

  @Option(names = "--cpu-request", paramLabel = "Q", description = "Each run's CPU request.")
  String cpuRequest;

  @Option(names = "--cpu-limit", paramLabel = "Q", description = "Each run's CPU limit.")
  String cpuLimit;

  @Option(names = "--memory-request", paramLabel = "Q", description = "Each run's memory request.")
  String memoryRequest;

  @Option(names = "--memory-limit", paramLabel = "Q", description = "Each run's memory limit.")
  String memoryLimit;

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "A variable for every run container. Repeatable.")
  List<String> environment = new ArrayList<>();

  @Option(
      names = "--rbac",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Include the ServiceAccount, Role and RoleBinding (default on; --no-rbac when you manage"
              + " them yourself).")
  boolean rbac;

  @Option(
      names = "--backend-secret",
      defaultValue = "gantry-backend",
      paramLabel = "NAME",
      description =
          "The Secret with the agent's database URL (key "
              + AgentManifest.DB_URL_KEY
              + ") and secret key (key "
              + AgentManifest.SECRET_KEY_KEY
              + "); default ${DEFAULT-VALUE}.")
  String backendSecret;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      description = "Most runs at once (default: the agent's).")
  Integer maxConcurrent;

  @Override
  public Integer call() {
    AgentManifest manifest = new AgentManifest(options());
    PrintWriter out = spec.commandLine().getOut();
    out.print(manifest.yaml());
    out.flush();
    return 0;
  }

  AgentManifest.Options options() {
    return new AgentManifest.Options(
        namespace,
        labels,
        image == null ? KubernetesSettings.gantryImage() : image,
        imagePullSecrets.stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
        serviceAccount,
        jobServiceAccount,
        cpuRequest,
        cpuLimit,
        memoryRequest,
        memoryLimit,
        KubernetesSettings.parseEnvironment(environment),
        rbac,
        backendSecret,
        maxConcurrent,
        policy.arguments());
  }
}
