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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Makes bundles on local storage readable in run containers. The bootstrap fetches {@code file:}
 * locations unchanged, so the bundle is mounted read-only at its own path. The image runs as a user
 * of its own, whatever uid that is, so what is mounted is a copy the agent makes per run attempt
 * (the bootstrap still checks its digest): the file is readable by all ({@code r--r--r--}), but it
 * lies in directories only the agent's user may enter ({@code rwx------}), so on the host nobody
 * else but root reaches it; in the container the mount exposes the file alone.
 *
 * <p>A copy is removed when its run attempt ends, by whichever path; {@link #sweep} removes copies
 * left by an agent that was killed, once no container of their run attempt exists.
 */
final class LocalBundleMounts {
  static final String DIRECTORY_PERMISSIONS = "rwx------";
  static final String FILE_PERMISSIONS = "r--r--r--";

  private static Object agentUid;

  private final Path root;

  LocalBundleMounts(Path root) {
    this.root = root;
  }

  static LocalBundleMounts inTempDir() {
    return new LocalBundleMounts(
        Path.of(System.getProperty("java.io.tmpdir"), "gantry-docker-bundles"));
  }

  Path root() {
    return root;
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
      privateDirectory(root);
      privateDirectory(dir);
      Path copy = dir.resolve(bundle.getFileName().toString());
      Files.copy(bundle, copy, StandardCopyOption.REPLACE_EXISTING);
      setPermissions(copy, FILE_PERMISSIONS);
      return Optional.of(new Bind(copy.toString(), new Volume(bundle.toString()), AccessMode.ro));
    } catch (IOException e) {
      release(request.runId(), request.run().attempt());
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
    delete(dirOf(runId, attempt));
  }

  /**
   * Removes the copies of run attempts that have no container any more ({@code withContainer} holds
   * {@code RUN-ATTEMPT} of those that do), made more than {@code minAge} ago: a launch under way
   * (of this agent or another on this machine) makes its copy just before its container.
   *
   * @return the names of the copies removed
   */
  List<String> sweep(Set<String> withContainer, Duration minAge, Instant now) {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return removed;
    }
    try (Stream<Path> copies = Files.list(root)) {
      for (Path copy : copies.toList()) {
        String name = copy.getFileName().toString();
        if (withContainer.contains(name) || !olderThan(copy, now.minus(minAge))) {
          continue;
        }
        delete(copy);
        removed.add(name);
      }
    } catch (IOException e) {
      // unreadable now: the next sweep tries again
    }
    return removed;
  }

  /** The name of a run attempt's copy, as {@link #sweep} compares it. */
  static String nameOf(String runId, int attempt) {
    return runId + "-" + attempt;
  }

  private Path dirOf(String runId, int attempt) {
    return root.resolve(nameOf(runId, attempt));
  }

  private static boolean olderThan(Path path, Instant limit) {
    try {
      FileTime modified = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
      return modified.toInstant().isBefore(limit);
    } catch (IOException e) {
      return false;
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // the sweep of the next agent start removes what is left
    }
  }

  /**
   * Creates {@code dir} for the agent's user alone, or makes an existing one so; refuses one that
   * is not a directory of the agent's user (another user's, or a link placed in a shared temporary
   * directory).
   */
  private static void privateDirectory(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectory(dir);
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // created meanwhile by another launch: checked below
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a directory; remove it");
    }
    try {
      Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (!owner.equals(agentUid())) {
        throw new IOException(dir + " belongs to another user (uid " + owner + "); remove it");
      }
    } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
      // no owners to compare on this file system
    }
    setPermissions(dir, DIRECTORY_PERMISSIONS);
  }

  /** The agent's uid: the owner of a file it creates. */
  private static synchronized Object agentUid() throws IOException {
    if (agentUid == null) {
      Path probe = Files.createTempFile("gantry-uid", ".probe");
      try {
        agentUid = Files.getAttribute(probe, "unix:uid");
      } finally {
        Files.deleteIfExists(probe);
      }
    }
    return agentUid;
  }

  private static void setPermissions(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException notPosix) {
      // file systems without POSIX permissions (Docker Desktop shares) keep their defaults
    }
  }
}
