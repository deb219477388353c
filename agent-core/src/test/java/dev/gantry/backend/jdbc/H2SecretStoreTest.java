package dev.gantry.backend.jdbc;

import dev.gantry.backend.Backend;
import dev.gantry.backend.SecretStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The secret store contract on the embedded H2 file database. */
class H2SecretStoreTest extends SecretStoreContractTest {
  @TempDir static Path home;

  @Override
  protected Backend openBackend() {
    return JdbcBackend.open(JdbcBackend.embeddedUrl(home));
  }
}
