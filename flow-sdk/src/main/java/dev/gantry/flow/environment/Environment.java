package dev.gantry.flow.environment;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Where a flow's runs execute: metadata such as the image, labels, the secrets it needs and the run
 * settings it asks of its infrastructure ({@link RunSetting}). {@link LocalEnvironment} runs on any
 * agent; {@link DockerRun} and {@link KubernetesRun} add their launcher's settings.
 */
public sealed interface Environment extends Serializable
    permits LocalEnvironment, DockerRun, KubernetesRun {

  /** Free-form metadata; {@code image} names the container image to run in. */
  Map<String, String> metadata();

  Set<String> labels();

  Set<String> secrets();

  /** The image to run in, or null for the agent's default. */
  default String image() {
    return metadata().get("image");
  }

  /**
   * The run settings the flow asks for, by {@link RunSetting} name ({@code memory}, {@code
   * env.MODE}), each checked when it was set; empty for the agent's defaults.
   */
  default Map<String, String> runSettings() {
    return Map.of();
  }
}
