package dev.gantry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BundleStorage} does, run by one subclass per storage: serialized bundles under
 * their digest (never changing a registered one), source bundles under one replaceable key, and
 * locations the bootstrap fetches with {@link BundleLocations} alone.
 */
public abstract class BundleStorageContractTest {
  @TempDir protected Path work;

  /** The storage under test. */
  protected abstract BundleStorage storage();

  /** The environment a run's bootstrap has (the storage's secrets). */
  protected abstract Map<String, String> runEnvironment();

  /** Deletes the stored bundle behind a location, as an operator cleaning up would. */
  protected abstract void deleteStored(String location) throws IOException;

  /** How a failure message names the bundle at a location. */
  protected abstract String named(String location);

  @Test
  void aSerializedBundleIsStoredUnderItsDigestAndFetchedBackByItsLocationAlone() throws Exception {
    Path bundle = randomFile("b1", 4096);
    String digest = Sha256.of(bundle);

    String location = storage().store("etl", BundleFormat.serialized, digest, bundle);

    assertThat(location).contains("etl/" + digest + ".gantry");
    Path fetched = work.resolve("fetched");
    BundleLocations.fetch("etl", location, fetched, runEnvironment());
    assertThat(Sha256.of(fetched)).isEqualTo(digest);
  }

  @Test
  void storingAnotherSerializedBundleNeverChangesARegisteredOne() throws Exception {
    Path first = randomFile("v1", 1000);
    Path second = randomFile("v2", 1000);

    String one = storage().store("etl", BundleFormat.serialized, Sha256.of(first), first);
    String two = storage().store("etl", BundleFormat.serialized, Sha256.of(second), second);

    assertThat(two).isNotEqualTo(one);
    Path fetched = work.resolve("fetched-one");
    BundleLocations.fetch("etl", one, fetched, runEnvironment());
    assertThat(Sha256.of(fetched)).isEqualTo(Sha256.of(first));
  }

  @Test
  void sourceBundlesShareOneKeySoTheLatestIsWhatTheNextRunFetches() throws Exception {
    Path first = randomFile("s1", 800);
    Path second = randomFile("s2", 900);

    String one = storage().store("etl", BundleFormat.source, Sha256.of(first), first);
    String two = storage().store("etl", BundleFormat.source, Sha256.of(second), second);

    assertThat(two).isEqualTo(one).contains("etl/source.gantry");
    Path fetched = work.resolve("fetched-source");
    BundleLocations.fetch("etl", one, fetched, runEnvironment());
    assertThat(Sha256.of(fetched)).isEqualTo(Sha256.of(second));
  }

  @Test
  void fetchingADeletedBundleFailsNamingItAndSayingToRegisterAgain() throws Exception {
    Path bundle = randomFile("gone", 100);
    String location = storage().store("gone", BundleFormat.serialized, Sha256.of(bundle), bundle);
    deleteStored(location);

    assertThatThrownBy(
            () -> BundleLocations.fetch("gone", location, work.resolve("t"), runEnvironment()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(named(location))
        .hasMessageContaining("register the flow again");
  }

  protected Path randomFile(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(name.hashCode()).nextBytes(bytes);
    return Files.write(work.resolve(name), bytes);
  }
}
