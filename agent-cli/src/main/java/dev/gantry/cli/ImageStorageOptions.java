package dev.gantry.cli;

import dev.gantry.flow.Secrets;
import dev.gantry.flow.storage.OciImage;
import picocli.CommandLine.Option;

/**
 * The options of {@code flow register --storage image:REGISTRY/REPO:TAG}: the secret holding the
 * registry login (else {@code ~/.docker/config.json}) and the image the flow's layer goes on.
 */
public final class ImageStorageOptions {
  static final String PREFIX = "image:";

  @Option(
      names = "--image-credentials-secret",
      paramLabel = "NAME",
      description =
          "The secret holding the registry login as {\"username\":…,\"password\":…}: registration"
              + " pushes with it, agents pull with it (Kubernetes as an image pull secret). Default:"
              + " the registry's entry in ~/.docker/config.json.")
  String credentialsSecret;

  @Option(
      names = "--base-image",
      paramLabel = "IMAGE",
      description =
          "The image the flow's jars are added to: docker://NAME:TAG for the local Docker engine's"
              + " copy, else a registry reference. Default: docker://gantry:VERSION.")
  String baseImage;

  static boolean isImage(String storage) {
    return storage != null && storage.startsWith(PREFIX);
  }

  boolean anyGiven() {
    return credentialsSecret != null || baseImage != null;
  }

  /** The image storage at {@code image:REGISTRY/REPO:TAG} with these options. */
  OciImage storage(String storage) {
    if (credentialsSecret != null) {
      try {
        Secrets.checkName(credentialsSecret);
      } catch (IllegalArgumentException e) {
        throw new UserError("--image-credentials-secret: " + e.getMessage());
      }
    }
    try {
      return new OciImage(storage.substring(PREFIX.length()), credentialsSecret, baseImage, true);
    } catch (IllegalArgumentException e) {
      throw new UserError("--storage: " + e.getMessage());
    }
  }
}
