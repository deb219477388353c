package dev.gantry.storage.http;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.Http;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.StorageKindContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

/** The storage-kind contract on a real HTTP server on 127.0.0.1 that requires a header secret. */
class HttpStorageKindTest extends StorageKindContractTest {
  private static final String SECRET = "FLOW_STORE_TOKEN";
  private BundleHttpServer server;

  @Override
  protected void startServer() throws IOException {
    server = BundleHttpServer.start(dir.resolve("served"));
    vault.set(SECRET, BundleHttpServer.TOKEN);
  }

  @Override
  protected void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected Storage storage(boolean defaultLabels) {
    Http http =
        Http.url(server.url() + "/" + UUID.randomUUID())
            .header("Authorization", Http.SECRET_PREFIX + SECRET);
    return defaultLabels ? http : http.withoutDefaultLabels();
  }

  @Override
  protected String defaultLabel() {
    return Http.DEFAULT_LABEL;
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of(SECRET, BundleHttpServer.TOKEN);
  }

  @Override
  protected Map<String, String> wrongSecrets() {
    return Map.of(SECRET, "Bearer not-the-token-31");
  }

  @Override
  protected void tamper(RegisteredFlow flow) throws IOException {
    Files.writeString(server.file(flow.location()), "replaced");
  }

  @Override
  protected void delete(RegisteredFlow flow) throws IOException {
    Files.delete(server.file(flow.location()));
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return HttpLocation.parse(flow.location()).url();
  }
}
