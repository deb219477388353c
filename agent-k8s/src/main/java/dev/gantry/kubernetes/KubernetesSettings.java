package dev.gantry.kubernetes;

import dev.gantry.flow.GantryVersion;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the Kubernetes launcher creates run Jobs; validated when built.
 *
 * @param namespace where Jobs go; null for the client's namespace (the pod's own in a cluster, the
 *     kubeconfig context's elsewhere)
 * @param serviceAccount the service account of run pods; null for the template's (else the
 *     namespace's default)
 * @param imagePullSecrets Secrets the kubelet pulls run images with, added to the template's
 * @param jobTemplate the Job every run Job starts from; null for the built-in {@link
 *     JobTemplate#defaultTemplate()}
 * @param cpuRequest CPU request of the run container (a Kubernetes quantity), or null for the
 *     template's
 * @param cpuLimit CPU limit, or null for the template's
 * @param memoryRequest memory request, or null for the template's
 * @param memoryLimit memory limit, or null for the template's
 * @param environment variables set in every run container; the run's own variables win
 * @param keepFinishedJobs whether finished Jobs stay until deleted by hand (no TTL)
 * @param finishedJobTtl how long Kubernetes keeps a finished Job (ttlSecondsAfterFinished)
 * @param unschedulableTimeout how long a run's pod may stay unschedulable (or unable to create its
 *     container) before the run ends Crashed
 * @param podCreationTimeout how long a run's Job may stay without a pod (the Job controller cannot
 *     create it: quota exceeded, a webhook unreachable, or no word at all) before the run ends
 *     Crashed; a definite refusal (admission, a missing service account) ends it Failed at once
 * @param podGracePeriod the run pod's termination grace period when the template sets none: how
 *     long a cancelled run may take to stop before it is killed
 * @param defaultImage the image of flows whose environment names none; null for {@code
 *     gantry:VERSION}
 */
public record KubernetesSettings(
    String namespace,
    String serviceAccount,
    List<String> imagePullSecrets,
    Job jobTemplate,
    String cpuRequest,
    String cpuLimit,
    String memoryRequest,
    String memoryLimit,
    Map<String, String> environment,
    boolean keepFinishedJobs,
    Duration finishedJobTtl,
    Duration unschedulableTimeout,
    Duration podCreationTimeout,
    Duration podGracePeriod,
    String defaultImage) {

  /** Variables of the agent that a run must never receive. */
  static final Set<String> WITHHELD =
      Set.of("GANTRY_DB_URL", "GANTRY_DB_PASSWORD", "GANTRY_SECRET_KEY", "GANTRY_SECRET_KEY_FILE");

  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  public KubernetesSettings {
    imagePullSecrets = List.copyOf(imagePullSecrets);
    environment = Map.copyOf(new LinkedHashMap<>(environment));
    Objects.requireNonNull(finishedJobTtl, "finishedJobTtl");
    Objects.requireNonNull(unschedulableTimeout, "unschedulableTimeout");
    Objects.requireNonNull(podCreationTimeout, "podCreationTimeout");
    Objects.requireNonNull(podGracePeriod, "podGracePeriod");
    if (namespace != null) {
      requireDnsName("--namespace", namespace);
    }
    if (serviceAccount != null) {
      requireDnsName("--service-account", serviceAccount);
    }
    imagePullSecrets.forEach(name -> requireDnsName("--image-pull-secrets", name));
    quantity("--cpu-request", cpuRequest);
    quantity("--cpu-limit", cpuLimit);
    quantity("--memory-request", memoryRequest);
    quantity("--memory-limit", memoryLimit);
    for (String name : environment.keySet()) {
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("--env " + name + " is not a valid variable name");
      }
      if (WITHHELD.contains(name)) {
        throw new IllegalArgumentException(
            "--env " + name + ": runs never receive the backend's credentials");
      }
    }
    if (finishedJobTtl.isNegative()) {
      throw new IllegalArgumentException("--finished-job-ttl must not be negative");
    }
    if (unschedulableTimeout.isNegative() || unschedulableTimeout.isZero()) {
      throw new IllegalArgumentException("--unschedulable-timeout must be positive");
    }
    if (podCreationTimeout.isNegative() || podCreationTimeout.isZero()) {
      throw new IllegalArgumentException("--pod-creation-timeout must be positive");
    }
    if (podGracePeriod.isNegative()) {
      throw new IllegalArgumentException("the pod grace period must not be negative");
    }
    if (defaultImage != null && defaultImage.isBlank()) {
      throw new IllegalArgumentException("--default-image must name an image");
    }
  }

  /** Settings with the client's namespace, the built-in template and nothing extra. */
  public static KubernetesSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namespace = namespace;
    b.serviceAccount = serviceAccount;
    b.imagePullSecrets = imagePullSecrets;
    b.jobTemplate = jobTemplate;
    b.cpuRequest = cpuRequest;
    b.cpuLimit = cpuLimit;
    b.memoryRequest = memoryRequest;
    b.memoryLimit = memoryLimit;
    b.environment = environment;
    b.keepFinishedJobs = keepFinishedJobs;
    b.finishedJobTtl = finishedJobTtl;
    b.unschedulableTimeout = unschedulableTimeout;
    b.podCreationTimeout = podCreationTimeout;
    b.podGracePeriod = podGracePeriod;
    b.defaultImage = defaultImage;
    return b;
  }

  /** The image runs use when their flow names none. */
  public String effectiveDefaultImage() {
    return defaultImage != null ? defaultImage.trim() : gantryImage();
  }

  /** The Gantry image of the running version: {@code gantry:VERSION}. */
  public static String gantryImage() {
    return "gantry:" + GantryVersion.current();
  }

  /**
   * Parses {@code K=V} pairs of {@code --env}.
   *
   * @throws IllegalArgumentException naming the malformed pair
   */
  public static Map<String, String> parseEnvironment(List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--env '" + pair + "' is not NAME=VALUE");
      }
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  private static void quantity(String option, String value) {
    if (value == null) {
      return;
    }
    try {
      Quantity.getAmountInBytes(Quantity.parse(value));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          option + " '" + value + "' is not a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi");
    }
  }

  static void requireDnsName(String option, String value) {
    if (value.length() > 253 || !DNS_NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          option + " '" + value + "' is not a Kubernetes name (lower case letters, digits, '-')");
    }
  }

  /** Builds {@link KubernetesSettings}; {@link #build()} validates. */
  public static final class Builder {
    private String namespace;
    private String serviceAccount;
    private List<String> imagePullSecrets = List.of();
    private Job jobTemplate;
    private String cpuRequest;
    private String cpuLimit;
    private String memoryRequest;
    private String memoryLimit;
    private Map<String, String> environment = Map.of();
    private boolean keepFinishedJobs;
    private Duration finishedJobTtl = Duration.ofMinutes(10);
    private Duration unschedulableTimeout = Duration.ofMinutes(5);
    private Duration podCreationTimeout = Duration.ofMinutes(2);
    private Duration podGracePeriod = Duration.ofSeconds(30);
    private String defaultImage;

    private Builder() {}

    public Builder namespace(String value) {
      namespace = value;
      return this;
    }

    public Builder serviceAccount(String value) {
      serviceAccount = value;
      return this;
    }

    public Builder imagePullSecrets(List<String> value) {
      imagePullSecrets = value;
      return this;
    }

    public Builder jobTemplate(Job value) {
      jobTemplate = value;
      return this;
    }

    public Builder cpuRequest(String value) {
      cpuRequest = value;
      return this;
    }

    public Builder cpuLimit(String value) {
      cpuLimit = value;
      return this;
    }

    public Builder memoryRequest(String value) {
      memoryRequest = value;
      return this;
    }

    public Builder memoryLimit(String value) {
      memoryLimit = value;
      return this;
    }

    public Builder environment(Map<String, String> value) {
      environment = value;
      return this;
    }

    public Builder keepFinishedJobs(boolean value) {
      keepFinishedJobs = value;
      return this;
    }

    public Builder finishedJobTtl(Duration value) {
      finishedJobTtl = value;
      return this;
    }

    public Builder unschedulableTimeout(Duration value) {
      unschedulableTimeout = value;
      return this;
    }

    public Builder podCreationTimeout(Duration value) {
      podCreationTimeout = value;
      return this;
    }

    public Builder podGracePeriod(Duration value) {
      podGracePeriod = value;
      return this;
    }

    public Builder defaultImage(String value) {
      defaultImage = value;
      return this;
    }

    public KubernetesSettings build() {
      return new KubernetesSettings(
          namespace,
          serviceAccount,
          imagePullSecrets,
          jobTemplate,
          cpuRequest,
          cpuLimit,
          memoryRequest,
          memoryLimit,
          environment,
          keepFinishedJobs,
          finishedJobTtl,
          unschedulableTimeout,
          podCreationTimeout,
          podGracePeriod,
          defaultImage);
    }
  }
}
