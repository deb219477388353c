package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects that deploy a Kubernetes agent, as {@code gantry agent install kubernetes} prints
 * them and {@code deploy/kubernetes} holds them: a ServiceAccount, a Role with only what the agent
 * does (and nothing cluster-wide), its RoleBinding, and a Deployment running the Gantry image with
 * {@code agent start kubernetes}, its database URL and secret key from a Secret the operator names,
 * probes on the health endpoints, resource requests, a non-root user and a read-only root file
 * system.
 */
public final class AgentManifest {
  /** Name of the Deployment, ServiceAccount, Role and RoleBinding (unless renamed). */
  public static final String NAME = "gantry-agent";

  /** Keys of the backend Secret. */
  public static final String DB_URL_KEY = "db-url";

  public static final String SECRET_KEY_KEY = "secret-key";

  static final int HEALTH_PORT = 8080;
  static final long RUN_AS = 10001L;

  /**
   * What to deploy; validated when built.
   *
   * @param namespace the namespace of the agent and its runs
   * @param labels the agent's labels
   * @param image the Gantry image: the agent's, and the runs' default
   * @param imagePullSecrets Secrets to pull the agent's and the runs' images with
   * @param serviceAccount the agent's service account
   * @param jobServiceAccount the run pods' service account, or null for the namespace's default
   * @param cpuRequest the runs' CPU request, or null
   * @param cpuLimit the runs' CPU limit, or null
   * @param memoryRequest the runs' memory request, or null
   * @param memoryLimit the runs' memory limit, or null
   * @param environment variables for every run container
   * @param rbac whether to include the ServiceAccount, Role and RoleBinding
   * @param backendSecret the Secret with keys {@value #DB_URL_KEY} and {@value #SECRET_KEY_KEY}
   * @param maxConcurrent the most runs at once, or null for the agent's default
   */
  public record Options(
      String namespace,
      List<String> labels,
      String image,
      List<String> imagePullSecrets,
      String serviceAccount,
      String jobServiceAccount,
      String cpuRequest,
      String cpuLimit,
      String memoryRequest,
      String memoryLimit,
      Map<String, String> environment,
      boolean rbac,
      String backendSecret,
      Integer maxConcurrent,
      List<String> policyArguments) {

    /** Options without agent policy arguments. */
    public Options(
        String namespace,
        List<String> labels,
        String image,
        List<String> imagePullSecrets,
        String serviceAccount,
        String jobServiceAccount,
        String cpuRequest,
        String cpuLimit,
        String memoryRequest,
        String memoryLimit,
        Map<String, String> environment,
        boolean rbac,
        String backendSecret,
        Integer maxConcurrent) {
      this(
          namespace,
          labels,
          image,
          imagePullSecrets,
          serviceAccount,
          jobServiceAccount,
          cpuRequest,
          cpuLimit,
          memoryRequest,
          memoryLimit,
          environment,
          rbac,
          backendSecret,
          maxConcurrent,
          List.of());
    }

    public Options {
      policyArguments = policyArguments == null ? List.of() : List.copyOf(policyArguments);
      labels = List.copyOf(labels);
      imagePullSecrets = List.copyOf(imagePullSecrets);
      environment = Map.copyOf(new LinkedHashMap<>(environment));
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(serviceAccount, "serviceAccount");
      Objects.requireNonNull(backendSecret, "backendSecret");
      // The run settings check names, quantities and variables the same way the agent will.
      KubernetesSettings.builder()
          .namespace(namespace)
          .serviceAccount(jobServiceAccount)
          .imagePullSecrets(imagePullSecrets)
          .cpuRequest(cpuRequest)
          .cpuLimit(cpuLimit)
          .memoryRequest(memoryRequest)
          .memoryLimit(memoryLimit)
          .environment(environment)
          .defaultImage(image)
          .build();
      KubernetesSettings.requireDnsName("--service-account", serviceAccount);
      KubernetesSettings.requireDnsName("--backend-secret", backendSecret);
      if (maxConcurrent != null && maxConcurrent < 1) {
        throw new IllegalArgumentException("--max-concurrent must be at least 1");
      }
      for (String label : labels) {
        if (label.isBlank()) {
          throw new IllegalArgumentException("--label must not be empty");
        }
      }
    }

    /** Namespace {@code gantry}, no labels, the Gantry image of this version, RBAC included. */
    public static Options defaults() {
      return new Options(
          "gantry",
          List.of(),
          KubernetesSettings.gantryImage(),
          List.of(),
          NAME,
          null,
          null,
          null,
          null,
          null,
          Map.of(),
          true,
          "gantry-backend",
          null);
    }
  }

  private final Options options;

  public AgentManifest(Options options) {
    this.options = options;
  }

  /** The objects, in the order {@code kubectl apply} wants them. */
  public List<HasMetadata> objects() {
    List<HasMetadata> objects = new ArrayList<>();
    if (options.rbac()) {
      objects.add(
          new ServiceAccountBuilder()
              .withMetadata(meta(options.serviceAccount()))
              .withAutomountServiceAccountToken(true)
              .build());
      objects.add(new RoleBuilder().withMetadata(meta(NAME)).withRules(rules()).build());
      objects.add(
          new RoleBindingBuilder()
              .withMetadata(meta(NAME))
              .withNewRoleRef()
              .withApiGroup("rbac.authorization.k8s.io")
              .withKind("Role")
              .withName(NAME)
              .endRoleRef()
              .addNewSubject()
              .withKind("ServiceAccount")
              .withName(options.serviceAccount())
              .withNamespace(options.namespace())
              .endSubject()
              .build());
    }
    objects.add(deployment());
    return objects;
  }

  /** The objects as YAML for {@code kubectl apply -f -}, after a comment saying what they need. */
  public String yaml() {
    return "# The Gantry Kubernetes agent: gantry agent install kubernetes | kubectl apply -f -\n"
        + "# It needs namespace "
        + options.namespace()
        + " and, in it, Secret "
        + options.backendSecret()
        + " with keys "
        + DB_URL_KEY
        + " (the backend's JDBC URL) and "
        + SECRET_KEY_KEY
        + " (GANTRY_SECRET_KEY):\n"
        + "#   kubectl -n "
        + options.namespace()
        + " create secret generic "
        + options.backendSecret()
        + " --from-literal="
        + DB_URL_KEY
        + "='jdbc:postgresql://HOST:5432/DB?user=USER&password=PASSWORD'"
        + " --from-literal="
        + SECRET_KEY_KEY
        + "=\"$(openssl rand -base64 32)\"\n"
        + ManifestYaml.write(objects());
  }

  /**
   * Exactly what the Kubernetes launcher does: Jobs created, watched, resumed (patched) and
   * deleted; pods watched and their logs read; Events about Jobs watched (why the Job controller
   * cannot create a pod); each run's Secret created and read back when adopting a Job.
   */
  public static List<PolicyRule> rules() {
    return List.of(
        rule("batch", "jobs", "create", "delete", "get", "list", "patch", "watch"),
        rule("", "pods", "list", "watch"),
        rule("", "pods/log", "get"),
        rule("", "events", "list", "watch"),
        rule("", "secrets", "create", "get"));
  }

  private static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  private HasMetadata deployment() {
    Map<String, String> selector = Map.of("app.kubernetes.io/name", NAME);
    return new DeploymentBuilder()
        .withMetadata(meta(NAME))
        .withNewSpec()
        .withReplicas(1)
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels())
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(options.serviceAccount())
        .withAutomountServiceAccountToken(true)
        .withTerminationGracePeriodSeconds(60L)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withImagePullSecrets(
            options.imagePullSecrets().isEmpty()
                ? null
                : options.imagePullSecrets().stream().map(LocalObjectReference::new).toList())
        .withContainers(agentContainer())
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Container agentContainer() {
    return new ContainerBuilder()
        .withName("agent")
        .withImage(options.image())
        .withArgs(agentArguments())
        .withEnv(agentEnvironment())
        .addNewPort()
        .withName("health")
        .withContainerPort(HEALTH_PORT)
        .withProtocol("TCP")
        .endPort()
        .withLivenessProbe(probe("/health/live", 30, 3))
        .withReadinessProbe(probe("/health/ready", 10, 3))
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("384Mi"))
        .withLimits(Map.of("memory", new Quantity("512Mi")))
        .endResources()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .build();
  }

  /** {@code agent start kubernetes} with the chosen labels and run settings. */
  List<String> agentArguments() {
    List<String> args = new ArrayList<>(List.of("agent", "start", "kubernetes"));
    args.add("--namespace=" + options.namespace());
    args.add("--health-port=" + HEALTH_PORT);
    options.labels().forEach(label -> args.add("--label=" + label));
    args.add("--default-image=" + options.image());
    if (!options.imagePullSecrets().isEmpty()) {
      args.add("--image-pull-secrets=" + String.join(",", options.imagePullSecrets()));
    }
    if (options.jobServiceAccount() != null) {
      args.add("--service-account=" + options.jobServiceAccount());
    }
    addIfSet(args, "--cpu-request", options.cpuRequest());
    addIfSet(args, "--cpu-limit", options.cpuLimit());
    addIfSet(args, "--memory-request", options.memoryRequest());
    addIfSet(args, "--memory-limit", options.memoryLimit());
    options.environment().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> args.add("--env=" + e.getKey() + "=" + e.getValue()));
    if (options.maxConcurrent() != null) {
      args.add("--max-concurrent=" + options.maxConcurrent());
    }
    // What flows may ask of the agent (--allow-*, --max-memory, --max-cpus), as given.
    args.addAll(options.policyArguments());
    return args;
  }

  private List<EnvVar> agentEnvironment() {
    return List.of(
        fromBackendSecret("GANTRY_DB_URL", DB_URL_KEY),
        fromBackendSecret("GANTRY_SECRET_KEY", SECRET_KEY_KEY),
        // The root file system is read-only: the home (and the JVM's temporary files) live in /tmp.
        new EnvVarBuilder().withName("GANTRY_HOME").withValue("/tmp/gantry").build(),
        new EnvVarBuilder()
            .withName("GANTRY_JAVA_OPTS")
            .withValue("-XX:MaxRAMPercentage=75.0")
            .build());
  }

  private EnvVar fromBackendSecret(String variable, String key) {
    return new EnvVarBuilder()
        .withName(variable)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(options.backendSecret())
        .withKey(key)
        .withOptional(false)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static Probe probe(String path, int initialDelay, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString("health"))
        .endHttpGet()
        .withInitialDelaySeconds(initialDelay)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private ObjectMeta meta(String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(options.namespace())
        .withLabels(labels())
        .build();
  }

  private static Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", NAME);
    labels.put("app.kubernetes.io/part-of", "gantry");
    return labels;
  }

  private static void addIfSet(List<String> args, String option, String value) {
    if (value != null) {
      args.add(option + "=" + value);
    }
  }
}
