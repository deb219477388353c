package dev.gantry.docker;

import java.util.Objects;
import java.util.Optional;

/**
 * A container image reference as Docker reads it: {@code [registry/]repository[:tag][@digest]}.
 * Without a registry the image is on Docker Hub ({@value #DOCKER_HUB}), whose one-part names live
 * under {@code library/}; without a tag or digest the tag is {@value #LATEST}. A first part holding
 * a dot or a colon, or {@code localhost}, is a registry ({@code localhost:5000/x:tag}).
 *
 * @param registry the registry host (and port), {@value #DOCKER_HUB} when none is written
 * @param repository the repository within the registry, {@code library/}-prefixed on Docker Hub
 * @param tag the tag, {@value #LATEST} when neither a tag nor a digest is written, else null when
 *     only a digest is
 * @param digest the content digest ({@code sha256:...}), or null
 * @param name the name as written, without tag and digest: what the engine is asked to pull
 */
public record ImageReference(
    String registry, String repository, String tag, String digest, String name) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String LATEST = "latest";

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Reads an image reference.
   *
   * @throws IllegalArgumentException when the text is blank or a part of it is empty
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("an image reference must not be blank");
    }
    String image = text.trim();
    String digest = null;
    int at = image.indexOf('@');
    if (at >= 0) {
      digest = image.substring(at + 1);
      image = image.substring(0, at);
      if (!digest.contains(":") || digest.startsWith(":") || digest.endsWith(":")) {
        throw new IllegalArgumentException(
            "image '" + text + "': a digest reads algorithm:hex, like sha256:...");
      }
    }
    String tag = null;
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon > slash) {
      tag = image.substring(colon + 1);
      image = image.substring(0, colon);
      if (tag.isEmpty()) {
        throw new IllegalArgumentException("image '" + text + "' has an empty tag");
      }
    }
    if (image.isEmpty() || image.startsWith("/") || image.endsWith("/") || image.contains("//")) {
      throw new IllegalArgumentException("image '" + text + "' has no repository name");
    }
    String registry = DOCKER_HUB;
    String repository = image;
    int first = image.indexOf('/');
    if (first > 0 && isRegistry(image.substring(0, first))) {
      registry = image.substring(0, first);
      repository = image.substring(first + 1);
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    if (tag == null && digest == null) {
      tag = LATEST;
    }
    return new ImageReference(registry, repository, tag, digest, image);
  }

  private static boolean isRegistry(String part) {
    return part.contains(".") || part.contains(":") || part.equals("localhost");
  }

  /** The digest, when the reference pins one. */
  public Optional<String> pinnedDigest() {
    return Optional.ofNullable(digest);
  }

  /** The fully qualified form, e.g. {@code docker.io/library/alpine:latest}. */
  public String canonical() {
    return registry
        + "/"
        + repository
        + (tag != null ? ":" + tag : "")
        + (digest != null ? "@" + digest : "");
  }

  /** The reference as written, with its tag (or the default) and digest. */
  @Override
  public String toString() {
    return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
