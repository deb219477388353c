package dev.gantry.storage.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Azurite, the Azure Storage emulator (npm package {@code azurite}), for tests. {@link #find} uses
 * the blob service {@code .ci/azurite.sh} started on 127.0.0.1:{@code AZURITE_BLOB_PORT} (10000 by
 * default); when none answers there it starts one of its own from the same install ({@code
 * AZURITE_HOME}, default {@code ~/.cache/gantry/azurite}, or {@code azurite-blob} on the PATH) on a
 * free port, which {@link #close()} stops. Without either the test is skipped, unless {@code
 * CI=true}, where it fails.
 */
public final class AzuriteServer implements AutoCloseable {
  /** Azurite's well-known development account and its published key. */
  public static final String ACCOUNT = "devstoreaccount1";

  public static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final Process process;

  private AzuriteServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** The running Azurite, or one started for the test under {@code dir}. */
  public static AzuriteServer find(Path dir) {
    String configured = System.getenv("AZURITE_BLOB_PORT");
    int shared = configured == null || configured.isBlank() ? 10000 : Integer.parseInt(configured);
    if (answers(shared)) {
      return new AzuriteServer(shared, null);
    }
    Path binary = binary();
    if (binary == null) {
      String why =
          "Azurite is neither running on 127.0.0.1:"
              + shared
              + " nor installed; run `bash .ci/azurite.sh`";
      if (!"true".equals(System.getenv("CI"))) {
        Assumptions.abort(why);
      }
      throw new IllegalStateException(why);
    }
    return start(binary, dir);
  }

  private static AzuriteServer start(Path binary, Path dir) {
    try {
      int port = freePort();
      Path data = Files.createDirectories(dir.resolve("azurite-" + port));
      Process process =
          new ProcessBuilder(
                  List.of(
                      binary.toString(),
                      "--blobHost",
                      "127.0.0.1",
                      "--blobPort",
                      Integer.toString(port),
                      "--location",
                      data.toString(),
                      "--silent",
                      "--skipApiVersionCheck"))
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("azurite.log").toFile())
              .start();
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      while (!answers(port)) {
        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "Azurite did not start on 127.0.0.1:"
                  + port
                  + ": "
                  + Files.readString(data.resolve("azurite.log")));
        }
        Thread.sleep(100);
      }
      return new AzuriteServer(port, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Azurite: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Azurite", e);
    }
  }

  /** The connection string of the development account, as its secret holds it. */
  public String connectionString() {
    return connectionString(KEY);
  }

  /** The same account with another key, as a rotated or mistyped secret would hold it. */
  public String connectionString(String key) {
    return "DefaultEndpointsProtocol=http;AccountName="
        + ACCOUNT
        + ";AccountKey="
        + key
        + ";BlobEndpoint="
        + endpoint()
        + ";";
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port + "/" + ACCOUNT;
  }

  /** A client for the test's own setup and checks. */
  public BlobServiceClient client() {
    return new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
  }

  /** Creates the container (if missing) and returns it. */
  public BlobContainerClient container(String name) {
    BlobContainerClient container = client().getBlobContainerClient(name);
    container.createIfNotExists();
    return container;
  }

  /** Stops the Azurite this object started, if it started one, and only it. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
    }
  }

  private static Path binary() {
    String home = System.getenv("AZURITE_HOME");
    Path installed =
        (home == null || home.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "gantry", "azurite")
                : Path.of(home))
            .resolve("node_modules/.bin/azurite-blob");
    if (Files.isExecutable(installed)) {
      return installed;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(":")) {
        Path candidate = Path.of(entry, "azurite-blob");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
