package dev.gantry.storage.local;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.StorageKindContractTest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** The storage-kind contract on a local directory (no credentials to get wrong). */
class LocalStorageKindTest extends StorageKindContractTest {

  @Override
  protected void startServer() {}

  @Override
  protected void stopServer() {}

  @Override
  protected Storage storage(boolean defaultLabels) {
    Local local = Local.directory(dir.resolve("flows-" + UUID.randomUUID()).toString());
    return defaultLabels ? local : local.withoutDefaultLabels();
  }

  @Override
  protected String defaultLabel() {
    return Local.hostName();
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of();
  }

  @Override
  protected Map<String, String> wrongSecrets() {
    return null;
  }

  @Override
  protected void tamper(RegisteredFlow flow) throws IOException {
    Files.writeString(Path.of(URI.create(flow.location())), "replaced");
  }

  @Override
  protected void delete(RegisteredFlow flow) throws IOException {
    Files.delete(Path.of(URI.create(flow.location())));
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return Path.of(URI.create(flow.location())).toString();
  }
}
