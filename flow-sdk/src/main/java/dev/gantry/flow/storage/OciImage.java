package dev.gantry.flow.storage;

import java.util.Objects;
import java.util.Set;

/**
 * The flow's jars pushed as a container image (Prefect's Docker storage, without a Docker daemon):
 * registration adds them as one layer on top of the Gantry image, pushes the image to {@link
 * #reference()} and records its digest; runs start that image by digest and build the flow with its
 * factory, as for {@link Module} storage. Its default label is {@value #DEFAULT_LABEL}.
 *
 * <pre>{@code flow.storage(OciImage.at("registry.acme:5000/flows/etl:1").credentials("REGISTRY"));}
 * </pre>
 *
 * @param reference where the image is pushed: {@code REGISTRY/REPO:TAG}
 * @param credentialsSecret the secret holding {@code {"username":…,"password":…}} for the registry;
 *     null to use {@code ~/.docker/config.json}
 * @param baseImage the image the layer goes on: {@code docker://NAME:TAG} for the local Docker
 *     engine's copy, else a registry reference; null for {@link #defaultBaseImage()}
 */
public record OciImage(
    String reference, String credentialsSecret, String baseImage, boolean defaultLabelsEnabled)
    implements Storage {

  public static final String DEFAULT_LABEL = "image-flow-storage";

  /** The prefix of a base image kept by the local Docker engine. */
  public static final String DOCKER_PREFIX = "docker://";

  public OciImage {
    Objects.requireNonNull(reference, "reference");
    if (reference.isBlank() || reference.contains("@") || !reference.contains("/")) {
      throw new IllegalArgumentException(
          "image storage '"
              + reference
              + "' is not REGISTRY/REPO:TAG (the digest is recorded at registration)");
    }
    if (credentialsSecret != null && credentialsSecret.isBlank()) {
      credentialsSecret = null;
    }
    if (baseImage != null && baseImage.isBlank()) {
      baseImage = null;
    }
  }

  public static OciImage at(String reference) {
    return new OciImage(reference, null, null, true);
  }

  /** The registry credentials from a secret of {@code {"username":…,"password":…}}. */
  public OciImage credentials(String secret) {
    return new OciImage(reference, secret, baseImage, defaultLabelsEnabled);
  }

  public OciImage onBase(String image) {
    return new OciImage(reference, credentialsSecret, image, defaultLabelsEnabled);
  }

  public OciImage withoutDefaultLabels() {
    return new OciImage(reference, credentialsSecret, baseImage, false);
  }

  /** The local Docker engine's Gantry image of this version: {@code docker://gantry:VERSION}. */
  public static String defaultBaseImage() {
    return DOCKER_PREFIX + "gantry:" + gantryVersion();
  }

  /** The base image to build on. */
  public String effectiveBaseImage() {
    return baseImage != null ? baseImage : defaultBaseImage();
  }

  @Override
  public Format format() {
    return Format.MODULE;
  }

  @Override
  public Set<String> defaultLabels() {
    return Set.of(DEFAULT_LABEL);
  }

  /** The credentials secret: agents pull the image with it (Kubernetes as an imagePullSecret). */
  @Override
  public Set<String> secrets() {
    return credentialsSecret == null ? Set.of() : Set.of(credentialsSecret);
  }

  /**
   * This SDK's version, from the same resource as {@code GantryVersion} (read here so the storage
   * package does not depend on the SDK's core, which depends on it).
   */
  private static String gantryVersion() {
    try (java.io.InputStream in =
        OciImage.class.getResourceAsStream("/dev/gantry/flow/gantry-version.properties")) {
      java.util.Properties properties = new java.util.Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
