package dev.gantry.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local storage: content-addressed serialized bundles, one replaceable source bundle per flow. */
class LocalBundleStorageTest {
  @TempDir Path dir;

  @Test
  void serializedBundleIsStoredUnderItsDigestAndItsLocationIsAFileUri() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path bundle = Files.writeString(dir.resolve("b1"), "bundle one");
    String digest = Sha256.of(bundle);

    String location = storage.store("etl", BundleFormat.serialized, digest, bundle);

    Path stored = dir.resolve("flows").resolve("etl").resolve(digest + ".gantry");
    assertThat(location).startsWith("file:").isEqualTo(stored.toUri().toString());
    assertThat(Path.of(URI.create(location))).isEqualTo(stored);
    assertThat(stored).hasContent("bundle one");
    assertThat(bundle).exists(); // stored by copy
  }

  @Test
  void storingANewSerializedBundleNeverChangesARegisteredOne() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path b1 = Files.writeString(dir.resolve("b1"), "version one");
    Path b2 = Files.writeString(dir.resolve("b2"), "version two");

    String first = storage.store("etl", BundleFormat.serialized, Sha256.of(b1), b1);
    String second = storage.store("etl", BundleFormat.serialized, Sha256.of(b2), b2);

    assertThat(second).isNotEqualTo(first);
    assertThat(Path.of(URI.create(first))).hasContent("version one");
    assertThat(Path.of(URI.create(second))).hasContent("version two");
  }

  @Test
  void sourceBundleIsStoredUnderAStableKeyAndReplacedByTheNextOne() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path b1 = Files.writeString(dir.resolve("b1"), "source one");
    Path b2 = Files.writeString(dir.resolve("b2"), "source two");

    String first = storage.store("etl", BundleFormat.source, Sha256.of(b1), b1);
    String second = storage.store("etl", BundleFormat.source, Sha256.of(b2), b2);

    assertThat(second).isEqualTo(first);
    assertThat(Path.of(URI.create(first)))
        .isEqualTo(dir.resolve("flows/etl/source.gantry"))
        .hasContent("source two");
  }

  @Test
  void storingLeavesNoPartialUploadBehind() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path bundle = Files.writeString(dir.resolve("b"), "x");
    storage.store("etl", BundleFormat.source, Sha256.of(bundle), bundle);
    storage.store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);

    try (Stream<Path> files = Files.list(dir.resolve("flows/etl"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("source.gantry", Sha256.of(bundle) + ".gantry");
    }
  }

  @Test
  void rootIsMadeAbsoluteAndNormalized() {
    LocalBundleStorage storage = new LocalBundleStorage(Path.of("a/../b"));

    assertThat(storage.root()).isAbsolute().isEqualTo(Path.of("b").toAbsolutePath());
  }

  @Test
  void keyOfAModuleFlowIsRefusedBecauseNothingIsStored() {
    assertThat(BundleStorage.key("etl", BundleFormat.serialized, "abc"))
        .isEqualTo("etl/abc.gantry");
    assertThat(BundleStorage.key("etl", BundleFormat.source, "abc")).isEqualTo("etl/source.gantry");
    assertThatThrownBy(() -> BundleStorage.key("etl", BundleFormat.module, "abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("module");
  }

  @Test
  void fetchCopiesTheStoredBundleOverTheTarget() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path bundle = Files.writeString(dir.resolve("b"), "the bundle");
    String location = storage.store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);
    Path target = Files.writeString(dir.resolve("fetched"), "stale content");

    storage.fetch("etl", location, target);

    assertThat(target).hasContent("the bundle");
    assertThat(Path.of(URI.create(location))).hasContent("the bundle");
  }

  @Test
  void fetchOfAMissingBundleNamesFlowAndPathAndSaysToRegisterAgain() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path bundle = Files.writeString(dir.resolve("b"), "x");
    String location = storage.store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);
    Path stored = Path.of(URI.create(location));
    Files.delete(stored);

    assertThatThrownBy(() -> storage.fetch("etl", location, dir.resolve("fetched")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("flow 'etl'")
        .hasMessageContaining(stored.toString())
        .hasMessageContaining("register the flow again")
        .hasCauseInstanceOf(NoSuchFileException.class);
    assertThat(dir.resolve("fetched")).doesNotExist();
  }

  @Test
  void fetchIntoAMissingDirectoryNamesTheTargetInsteadOfBlamingTheStoredBundle() throws Exception {
    LocalBundleStorage storage = new LocalBundleStorage(dir.resolve("flows"));
    Path bundle = Files.writeString(dir.resolve("b"), "x");
    String location = storage.store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);
    Path target = dir.resolve("no/such/dir/fetched.gantry");

    assertThatThrownBy(() -> storage.fetch("etl", location, target))
        .hasMessageContaining(target.toString())
        .hasMessageNotContaining("register the flow again");
  }

  @Test
  void fetchOfALocationThatIsNotAFileUriIsRefusedNamingIt() {
    assertThatThrownBy(
            () -> LocalBundleStorage.fetchFile("etl", "file:relative/path", dir.resolve("t")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("bundle location file:relative/path of flow 'etl' is not a file URI");
  }
}
