package dev.gantry.docker.testing;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.gantry.docker.DockerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Gantry image from the repository's Dockerfile, as {@code docker build} does, once per
 * test JVM. No registry can be pulled on the build machines, so the base image is a local one:
 * system property or environment variable GANTRY_BASE_IMAGE, default {@value #LOCAL_BASE} (made by
 * .ci/docker-engine.sh).
 */
public final class GantryImage {
  public static final String LOCAL_BASE = "gantry-base:bookworm-jre17";

  private static String built;

  private GantryImage() {}

  /** Builds the image (tag {@code gantry:VERSION}) if this JVM has not yet, and returns its tag. */
  public static synchronized String ensureBuilt() {
    if (built != null) {
      return built;
    }
    Path root = repoRoot();
    Path jar = root.resolve("agent-cli/target/gantry.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: the Gantry image needs the packaged jar (mvn package)");
    }
    String tag = DockerSettings.gantryImage();
    String base = baseImage();
    String previous = imageId(tag);
    String imageId =
        TestDocker.client()
            .buildImageCmd()
            .withBaseDirectory(root.toFile())
            .withDockerfile(root.resolve("Dockerfile").toFile())
            .withBuildArg("BASE_IMAGE", base)
            .withTags(Set.of(tag))
            .withPull(false)
            .exec(new BuildImageResultCallback())
            .awaitImageId(10, TimeUnit.MINUTES);
    if (imageId == null || imageId.isBlank()) {
      throw new IllegalStateException("building " + tag + " on " + base + " gave no image id");
    }
    if (previous != null && !imageId.equals(previous) && !imageId.equals(shortId(previous))) {
      removeUnused(previous);
    }
    built = tag;
    return tag;
  }

  private static String imageId(String tag) {
    try {
      return TestDocker.client().inspectImageCmd(tag).exec().getId();
    } catch (NotFoundException absent) {
      return null;
    }
  }

  private static String shortId(String id) {
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return hex.substring(0, Math.min(12, hex.length()));
  }

  /** The image an earlier build tagged, now untagged, unless a container still uses it. */
  private static void removeUnused(String imageId) {
    try {
      TestDocker.client().removeImageCmd(imageId).withNoPrune(false).exec();
    } catch (NotFoundException | ConflictException inUse) {
      // gone already, or still used by a container: the engine keeps it
    }
  }

  public static String baseImage() {
    String value = System.getProperty("GANTRY_BASE_IMAGE", System.getenv("GANTRY_BASE_IMAGE"));
    return value == null || value.isBlank() ? LOCAL_BASE : value;
  }

  /** The repository root: system property gantry.test.repoRoot, else found from here upwards. */
  public static Path repoRoot() {
    String property = System.getProperty("gantry.test.repoRoot");
    if (property != null) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("Dockerfile"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no Dockerfile above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
