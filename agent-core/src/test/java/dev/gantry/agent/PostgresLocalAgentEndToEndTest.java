package dev.gantry.agent;

import dev.gantry.testing.PostgresSchema;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/** The local path on PostgreSQL, as teams run it. */
class PostgresLocalAgentEndToEndTest extends LocalAgentEndToEndTest {
  private PostgresSchema schema;

  @Override
  protected String databaseUrl(Path home) {
    schema = PostgresSchema.create();
    return schema.url();
  }

  @AfterAll
  void dropSchema() {
    if (schema != null) {
      schema.close();
    }
  }
}
