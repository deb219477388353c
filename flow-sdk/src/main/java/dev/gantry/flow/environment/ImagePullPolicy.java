package dev.gantry.flow.environment;

import java.util.Locale;

/** When Kubernetes pulls a run's image: Prefect's {@code image_pull_policy}. */
public enum ImagePullPolicy {
  ALWAYS("Always"),
  IF_NOT_PRESENT("IfNotPresent"),
  NEVER("Never");

  private final String kubernetesName;

  ImagePullPolicy(String kubernetesName) {
    this.kubernetesName = kubernetesName;
  }

  /** The spelling of the pod spec: {@code Always}, {@code IfNotPresent}, {@code Never}. */
  public String kubernetesName() {
    return kubernetesName;
  }

  /** Either spelling: {@code IfNotPresent} or {@code IF_NOT_PRESENT}. */
  public static ImagePullPolicy parse(String value) {
    for (ImagePullPolicy p : values()) {
      if (p.kubernetesName.equals(value) || p.name().equals(value.toUpperCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not Always, IfNotPresent or Never");
  }
}
