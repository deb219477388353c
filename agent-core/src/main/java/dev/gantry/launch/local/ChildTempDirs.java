package dev.gantry.launch.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One temporary directory per child JVM ({@code gantry-local-…}, owner-only), the child's {@code
 * java.io.tmpdir}: the run's work directory and its bundle live under it. It is deleted when the
 * child exits, however it ends (a {@code kill -9} leaves no cleanup to the child), and a launcher
 * starting deletes those of children that are gone (their agent was killed too).
 */
final class ChildTempDirs {
  private static final Logger log = LoggerFactory.getLogger(ChildTempDirs.class);
  static final String PREFIX = "gantry-local-";

  /** The file naming the child that owns a directory: its pid and start time. */
  static final String OWNER = "owner";

  /** A directory with no owner yet may be one a launcher is creating right now. */
  private static final Duration UNOWNED_GRACE = Duration.ofMinutes(1);

  private final Path base;

  ChildTempDirs(Path base) {
    this.base = base;
  }

  Path base() {
    return base;
  }

  Path create() throws IOException {
    return Files.createTempDirectory(
        base,
        PREFIX,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** Records which process owns {@code dir}, so a later launcher knows when it is gone. */
  void owned(Path dir, ProcessHandle process) {
    String start = process.info().startInstant().map(Instant::toString).orElse("");
    try {
      Files.writeString(dir.resolve(OWNER), process.pid() + " " + start, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("cannot record the owner of {}: {}", dir, e.toString());
    }
  }

  /** Deletes {@code dir} and everything in it; a failure is logged, not thrown. */
  void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(dir)) {
      tree.sorted(Comparator.reverseOrder()).forEach(ChildTempDirs::deleteOne);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot delete {} (delete it by hand): {}", dir, e.toString());
    }
  }

  private static void deleteOne(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes the directories of children that are no longer running.
   *
   * @return how many were deleted
   */
  int sweep() {
    int deleted = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, PREFIX + "*")) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir) && ownerGone(dir)) {
          delete(dir);
          deleted++;
        }
      }
    } catch (IOException e) {
      log.warn("cannot look for leftover run directories in {}: {}", base, e.toString());
    }
    if (deleted > 0) {
      log.info("deleted {} directories of runs whose process is gone, in {}", deleted, base);
    }
    return deleted;
  }

  private static boolean ownerGone(Path dir) throws IOException {
    Path owner = dir.resolve(OWNER);
    if (!Files.exists(owner)) {
      FileTime modified = Files.getLastModifiedTime(dir);
      return modified.toInstant().isBefore(Instant.now().minus(UNOWNED_GRACE));
    }
    String[] parts = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ", 2);
    long pid;
    try {
      pid = Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      return true;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    // The same pid may belong to another process by now: compare start times when known.
    String recorded = parts.length > 1 ? parts[1] : "";
    String now = process.get().info().startInstant().map(Instant::toString).orElse("");
    return !recorded.isEmpty() && !now.isEmpty() && !recorded.equals(now);
  }
}
