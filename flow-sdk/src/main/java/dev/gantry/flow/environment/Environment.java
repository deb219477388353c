package dev.gantry.flow.environment;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/** Where a flow's runs execute: metadata such as the image, labels and the secrets it needs. */
public sealed interface Environment extends Serializable permits LocalEnvironment {

  /** Free-form metadata; {@code image} names the container image to run in. */
  Map<String, String> metadata();

  Set<String> labels();

  Set<String> secrets();

  /** The image to run in, or null for the agent's default. */
  default String image() {
    return metadata().get("image");
  }
}
