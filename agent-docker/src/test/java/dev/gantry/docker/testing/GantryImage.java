package dev.gantry.docker.testing;

import com.github.dockerjava.api.command.BuildImageResultCallback;
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
    built = tag;
    return tag;
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
