package dev.gantry.docker;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Makes bundles on local storage readable in run containers. The bootstrap fetches {@code file:}
 * locations unchanged, so the bundle is mounted read-only at its own path. Local storage writes
 * bundles readable by their owner only, and the image runs as an unprivileged user of its own, so
 * what is mounted is a world-readable copy the agent makes per run attempt (the bootstrap still
 * checks its digest), removed with the container.
 */
final class LocalBundleMounts {
  private final Path root;

  LocalBundleMounts(Path root) {
    this.root = root;
  }

  static LocalBundleMounts inTempDir() {
    return new LocalBundleMounts(
        Path.of(System.getProperty("java.io.tmpdir"), "gantry-docker-bundles"));
  }

  /**
   * The mount of the run's bundle when it is on local storage; empty for other storage, and when
   * the bundle file is missing (the bootstrap then reports it, naming the flow).
   */
  Optional<Bind> mountFor(LaunchRequest request) throws LaunchException {
    String location = request.flow().location();
    if (location == null || !location.startsWith("file:")) {
      return Optional.empty();
    }
    Path bundle;
    try {
      bundle = Path.of(URI.create(location));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(bundle)) {
      return Optional.empty();
    }
    Path dir = dirOf(request.runId(), request.run().attempt());
    try {
      Files.createDirectories(dir);
      Path copy = dir.resolve(bundle.getFileName().toString());
      Files.copy(bundle, copy, StandardCopyOption.REPLACE_EXISTING);
      setReadable(dir, "rwxr-xr-x");
      setReadable(copy, "rw-r--r--");
      return Optional.of(new Bind(copy.toString(), new Volume(bundle.toString()), AccessMode.ro));
    } catch (IOException e) {
      throw new LaunchException(
          "run "
              + request.runId()
              + ": cannot prepare the bundle of flow '"
              + request.flow().name()
              + "' at "
              + bundle
              + " for its container: "
              + e.getMessage(),
          RunState.Crashed,
          "BundleMountFailed",
          e);
    }
  }

  /** Removes the copy made for a run attempt, if any. */
  void release(String runId, int attempt) {
    Path dir = dirOf(runId, attempt);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a copy left behind in the temporary directory is harmless
    }
  }

  private Path dirOf(String runId, int attempt) {
    return root.resolve(runId + "-" + attempt);
  }

  private static void setReadable(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException notPosix) {
      // on file systems without POSIX permissions the default is readable
    }
  }
}
