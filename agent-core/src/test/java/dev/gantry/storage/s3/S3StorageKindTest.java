package dev.gantry.storage.s3;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.StorageKindContractTest;
import dev.gantry.testing.S3ProxyServer;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage-kind contract on a real S3 server (S3Proxy), signed by a secret. */
class S3StorageKindTest extends StorageKindContractTest {
  private static final String BUCKET = "contract-flows";
  private static final String SECRET = S3.DEFAULT_CREDENTIALS_SECRET;
  private S3ProxyServer server;

  @Override
  protected void startServer() {
    server = S3ProxyServer.start(dir.resolve("s3"));
    server.createBucket(BUCKET);
    vault.set(SECRET, server.credentialsJson());
  }

  @Override
  protected void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected Storage storage(boolean defaultLabels) {
    S3 s3 =
        S3.bucket(BUCKET)
            .prefix(UUID.randomUUID().toString())
            .endpoint(server.endpoint())
            .credentials(SECRET);
    return defaultLabels ? s3 : s3.withoutDefaultLabels();
  }

  @Override
  protected String defaultLabel() {
    return S3.DEFAULT_LABEL;
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of(SECRET, server.credentialsJson());
  }

  @Override
  protected Map<String, String> wrongSecrets() {
    return Map.of(
        SECRET,
        "{\"ACCESS_KEY\": \""
            + server.accessKey()
            + "\", \"SECRET_ACCESS_KEY\": \"wrong-secret-key-77\"}");
  }

  @Override
  protected void tamper(RegisteredFlow flow) {
    S3Location location = S3Location.parse(flow.location());
    try (S3Client s3 = server.client()) {
      s3.putObject(p -> p.bucket(BUCKET).key(location.key()), RequestBody.fromString("replaced"));
    }
  }

  @Override
  protected void delete(RegisteredFlow flow) {
    S3Location location = S3Location.parse(flow.location());
    try (S3Client s3 = server.client()) {
      s3.deleteObject(d -> d.bucket(BUCKET).key(location.key()));
    }
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return S3Location.parse(flow.location()).objectName();
  }
}
