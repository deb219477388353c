package dev.gantry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Module;
import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One registry finds the storage kind for a location or a storage description. */
class StorageRegistryTest {
  @TempDir Path dir;

  @Test
  void theInstalledKindsAreFoundThroughTheServiceLoader() {
    StorageRegistry registry = StorageRegistry.installed();

    assertThat(registry.knownSchemes())
        .isEqualTo("azblob:, file:, gs:, http:, image:, maven:, s3:");
    assertThat(registry.forLocation("etl", "https://repo/flows/etl/source.gantry").scheme())
        .isEqualTo("http");
    assertThat(registry.forLocation("etl", "maven:g:a:1-SNAPSHOT?repo=x&factory=y").scheme())
        .isEqualTo("maven");
    assertThat(registry.forLocation("etl", "file:/srv/etl.gantry").scheme()).isEqualTo("file");
    assertThat(registry.forLocation("etl", "s3://flows/etl/source.gantry").scheme())
        .isEqualTo("s3");
    assertThat(registry.forDescription(Local.defaults()))
        .map(StorageProvider::scheme)
        .hasValue("file");
    assertThat(registry.forDescription(S3.bucket("flows")))
        .map(StorageProvider::scheme)
        .hasValue("s3");
    assertThat(registry.forDescription(Module.factory("a.B#c"))).isEmpty();
  }

  @Test
  void aNewKindIsOneMoreProviderAndItsSchemeIsNamedInTheUnknownSchemeError() throws Exception {
    StorageRegistry registry = new StorageRegistry(List.of(new MemoryProvider()));

    Path target = dir.resolve("t");
    registry.fetch("etl", "mem:etl", target, Map.of());

    assertThat(target).hasContent("bundle of etl");
    assertThatThrownBy(() -> registry.fetch("etl", "ftp://host/etl", target, Map.of()))
        .isInstanceOf(StorageException.class)
        .hasMessage(
            "bundle location ftp://host/etl of flow 'etl' has a scheme this Gantry cannot read;"
                + " supported: mem:");
  }

  @Test
  void labelsAndSecretsOfADescriptionNoKindWritesAreItsOwn() {
    StorageRegistry registry = new StorageRegistry(List.of());

    assertThat(registry.defaultLabels(S3.bucket("flows"))).containsExactly(S3.DEFAULT_LABEL);
    assertThat(registry.secrets(S3.bucket("flows").secrets("AWS_CREDENTIALS")))
        .containsExactly("AWS_CREDENTIALS");
  }

  /** A storage kind the agent does not ship, to show what adding one takes. */
  private static final class MemoryProvider implements StorageProvider {
    @Override
    public String scheme() {
      return "mem";
    }

    @Override
    public boolean describes(Storage description) {
      return false;
    }

    @Override
    public Set<String> defaultLabels(Storage description) {
      return Set.of("memory");
    }

    @Override
    public BundleStorage open(Storage description, StorageContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void fetch(
        String flowName, String location, Path target, Map<String, String> environment)
        throws java.io.IOException {
      Files.writeString(target, "bundle of " + flowName);
    }
  }
}
