package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Bind;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-run copies of local bundles on the real file system, without an engine. */
class LocalBundleMountsTest {
  @TempDir Path dir;

  private LaunchRequest requestFor(String runId, int attempt) throws Exception {
    Path bundle = dir.resolve("flows/etl.gantry");
    Files.createDirectories(bundle.getParent());
    if (!Files.exists(bundle)) {
      Files.writeString(bundle, "bundle bytes");
    }
    return LaunchRequests.request(runId, attempt, "etl", null, Map.of(), bundle.toUri().toString());
  }

  @Test
  void theCopyIsReadableOnlyThroughDirectoriesOfTheAgentsUser() throws Exception {
    LocalBundleMounts mounts = new LocalBundleMounts(dir.resolve("copies"));

    Bind bind = mounts.mountFor(requestFor("run-1", 2)).orElseThrow();

    Path copy = Path.of(bind.getPath());
    assertThat(copy).isEqualTo(dir.resolve("copies/run-1-2/etl.gantry")).hasContent("bundle bytes");
    assertThat(bind.getVolume().getPath()).isEqualTo(dir.resolve("flows/etl.gantry").toString());
    assertThat(permissions(copy)).isEqualTo("r--r--r--");
    assertThat(permissions(copy.getParent())).isEqualTo("rwx------");
    assertThat(permissions(copy.getParent().getParent())).isEqualTo("rwx------");
  }

  @Test
  void aRootThatIsNotADirectoryOfTheAgentsUserIsRefused() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolve("copies"), elsewhere);
    LocalBundleMounts mounts = new LocalBundleMounts(dir.resolve("copies"));

    assertThatThrownBy(() -> mounts.mountFor(requestFor("run-1", 1)))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("run run-1: cannot prepare the bundle of flow 'etl'")
        .hasMessageContaining("is not a directory; remove it");
  }

  @Test
  void releaseRemovesTheCopyOfOneAttemptOnly() throws Exception {
    LocalBundleMounts mounts = new LocalBundleMounts(dir.resolve("copies"));
    mounts.mountFor(requestFor("run-1", 1));
    mounts.mountFor(requestFor("run-1", 2));

    mounts.release("run-1", 1);

    assertThat(dir.resolve("copies/run-1-1")).doesNotExist();
    assertThat(dir.resolve("copies/run-1-2/etl.gantry")).exists();
  }

  @Test
  void theSweepRemovesOldCopiesWithoutAContainerAndKeepsTheOthers() throws Exception {
    LocalBundleMounts mounts = new LocalBundleMounts(dir.resolve("copies"));
    mounts.mountFor(requestFor("ended", 1));
    mounts.mountFor(requestFor("running", 1));
    mounts.mountFor(requestFor("launching", 1));
    Instant now = Instant.now();
    FileTime old = FileTime.from(now.minus(Duration.ofMinutes(10)));
    Files.setLastModifiedTime(dir.resolve("copies/ended-1"), old);
    Files.setLastModifiedTime(dir.resolve("copies/running-1"), old);

    assertThat(mounts.sweep(Set.of("running-1"), Duration.ofMinutes(1), now))
        .containsExactly("ended-1");

    assertThat(dir.resolve("copies/ended-1")).doesNotExist();
    assertThat(dir.resolve("copies/running-1/etl.gantry")).exists();
    assertThat(dir.resolve("copies/launching-1/etl.gantry")).exists();
  }

  @Test
  void theSweepOfAMissingRootRemovesNothing() {
    assertThat(
            new LocalBundleMounts(dir.resolve("none"))
                .sweep(Set.of(), Duration.ZERO, Instant.now()))
        .isEmpty();
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
