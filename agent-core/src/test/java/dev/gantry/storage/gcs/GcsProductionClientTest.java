package dev.gantry.storage.gcs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Google's production client ({@link GoogleCloudClients}, HTTP transport) as gantry.jar carries it,
 * with the gRPC runtime left out: no GCS server can run here, so it meets a plain HTTP server on
 * 127.0.0.1 that refuses every request with one status, and a closed port. That proves the client
 * opens and sends with the dependencies shipped, and that its failures become one line naming the
 * object and what to do.
 */
class GcsProductionClientTest {
  private static final String SECRET = Gcs.DEFAULT_CREDENTIALS_SECRET;

  @TempDir Path work;
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void refusedCredentialsNameTheObjectTheAccountAndTheSecret() throws IOException {
    assertUpload(refusingWith(401))
        .hasMessageStartingWith("GCS refused the credentials for the upload to gs://flows/")
        .hasMessageContaining("the service account " + ServiceAccountKeys.email("refused"))
        .hasMessageContaining("gantry secret set " + SECRET);
  }

  @Test
  void aDeniedUploadNamesThePermissionToGrant() throws IOException {
    assertUpload(refusingWith(403))
        .hasMessageStartingWith("GCS denied the upload to gs://flows/")
        .hasMessageContaining("grant storage.objects.create on the bucket");
  }

  @Test
  void aMissingBucketSaysToCreateIt() throws IOException {
    assertUpload(refusingWith(404))
        .hasMessageStartingWith("GCS bucket of gs://flows/")
        .hasMessageContaining("does not exist: create it");
  }

  @Test
  void aRunThatCannotReachTheServiceFailsNamingTheObject() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    GcsClients clients = new GoogleCloudClients("http://127.0.0.1:" + closed);
    GcsLocation location = new GcsLocation("flows", "etl/source.gantry", SECRET);

    AbstractThrowableAssert<?, ? extends Throwable> failure =
        assertThatThrownBy(
                () ->
                    GcsBundleStorage.fetch(
                        "etl",
                        location,
                        work.resolve("t"),
                        Map.of("GANTRY_SECRET_" + SECRET, ServiceAccountKeys.keyJson("far")),
                        clients))
            .isInstanceOf(StorageException.class)
            .hasMessageStartingWith("cannot reach GCS for gs://flows/etl/source.gantry: ");
    failure.message().doesNotContain("\n").doesNotContain("PRIVATE KEY");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertUpload(String host)
      throws IOException {
    String key = ServiceAccountKeys.keyJson("refused", host + "/token");
    GcsBundleStorage storage =
        new GcsBundleStorage(
            Gcs.bucket("flows").credentials(SECRET),
            GcsCredentials.fromSecret(SECRET, key),
            new GoogleCloudClients(host));
    Path bundle = Files.writeString(work.resolve("b.gantry"), "bundle");
    AbstractThrowableAssert<?, ? extends Throwable> failure =
        assertThatThrownBy(
                () -> storage.store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle))
            .isInstanceOf(StorageException.class);
    failure.message().doesNotContain("\n").doesNotContain("PRIVATE KEY");
    return failure;
  }

  /** A server on 127.0.0.1 answering every request with {@code status} and a GCS error body. */
  private String refusingWith(int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          // The client first trades the key's signed assertion for an access token, then calls.
          boolean token = exchange.getRequestURI().getPath().equals("/token");
          byte[] body =
              (token
                      ? "{\"access_token\": \"t\", \"expires_in\": 3600, \"token_type\": \"Bearer\"}"
                      : "{\"error\": {\"code\": " + status + ", \"message\": \"refused\"}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(token ? 200 : status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }
}
