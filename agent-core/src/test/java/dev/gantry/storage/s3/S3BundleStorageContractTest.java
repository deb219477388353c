package dev.gantry.storage.s3;

import dev.gantry.flow.storage.S3;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.BundleStorageContractTest;
import dev.gantry.testing.S3ProxyServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage contract on a real S3 server (S3Proxy), under a key prefix, signed by a secret. */
class S3BundleStorageContractTest extends BundleStorageContractTest {
  private static final String BUCKET = "contract-flows";

  @TempDir static Path serverDir;
  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() {
    server = S3ProxyServer.start(serverDir);
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected BundleStorage storage() {
    return new S3BundleStorage(
        S3.bucket(BUCKET)
            .prefix("team-a/flows")
            .endpoint(server.endpoint())
            .secrets(S3.DEFAULT_CREDENTIALS_SECRET),
        S3Credentials.fromSecret(S3.DEFAULT_CREDENTIALS_SECRET, server.credentialsJson()));
  }

  @Override
  protected Map<String, String> runEnvironment() {
    return Map.of("GANTRY_SECRET_AWS_CREDENTIALS", server.credentialsJson());
  }

  @Override
  protected void deleteStored(String location) {
    S3Location parsed = S3Location.parse(location);
    try (S3Client s3 = server.client()) {
      s3.deleteObject(d -> d.bucket(parsed.bucket()).key(parsed.key()));
    }
  }

  @Override
  protected String named(String location) {
    return S3Location.parse(location).objectName();
  }
}
