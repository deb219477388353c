package dev.gantry.agent;

import dev.gantry.backend.jdbc.JdbcBackend;
import java.nio.file.Path;

/** The local path on the embedded H2 database, as `gantry demo` and laptops use it. */
class H2LocalAgentEndToEndTest extends LocalAgentEndToEndTest {
  @Override
  protected String databaseUrl(Path home) {
    return JdbcBackend.embeddedUrl(home);
  }
}
