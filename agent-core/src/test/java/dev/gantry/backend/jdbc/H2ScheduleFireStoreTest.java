package dev.gantry.backend.jdbc;

import dev.gantry.backend.Backend;
import dev.gantry.backend.ScheduleFireStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The schedule fire store contract on the embedded H2 file database. */
class H2ScheduleFireStoreTest extends ScheduleFireStoreContractTest {
  @TempDir static Path home;

  @Override
  protected Backend openBackend() {
    return JdbcBackend.open(JdbcBackend.embeddedUrl(home));
  }
}
