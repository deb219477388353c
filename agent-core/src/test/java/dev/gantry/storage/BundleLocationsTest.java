package dev.gantry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bootstrap's view of storage: fetch a bundle by its location's scheme alone. */
class BundleLocationsTest {
  @TempDir Path dir;

  @Test
  void fileLocationIsFetchedByCopy() throws Exception {
    Path stored = dir.resolve("flows/etl/source.gantry");
    Files.createDirectories(stored.getParent());
    Files.writeString(stored, "bundle");
    Path target = dir.resolve("fetched.gantry");

    BundleLocations.fetch("etl", stored.toUri().toString(), target);

    assertThat(target).hasContent("bundle");
  }

  @Test
  void missingFileLocationIsReportedAsAStorageError() {
    Path missing = dir.resolve("gone.gantry");

    assertThatThrownBy(
            () -> BundleLocations.fetch("etl", missing.toUri().toString(), dir.resolve("t")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("flow 'etl' not found at " + missing)
        .hasMessageContaining("register the flow again");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"ftp://example.com/etl.gantry", "gopher://example.com/etl", "/srv/etl.gantry"})
  void locationWithAnUnknownSchemeIsRefusedNamingLocationFlowAndSupportedSchemes(String location) {
    assertThatThrownBy(() -> BundleLocations.fetch("etl", location, dir.resolve("t")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("bundle location " + location)
        .hasMessageContaining("flow 'etl'")
        .hasMessageContaining("has a scheme this Gantry cannot read; supported: ")
        .hasMessageContaining("file:");
    assertThat(dir.resolve("t")).doesNotExist();
  }
}
