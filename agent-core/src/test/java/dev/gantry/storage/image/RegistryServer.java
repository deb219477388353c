package dev.gantry.storage.image;

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
 * A real container registry for tests: Debian's {@code docker-registry} (registry v2, installed by
 * {@code .ci/registry.sh}) on 127.0.0.1 with htpasswd authentication, on a free port, under a
 * directory of the test's. Without the package the test is skipped, unless {@code CI=true}, where
 * it fails.
 */
public final class RegistryServer implements AutoCloseable {
  public static final String USER = "gantry";
  public static final String PASSWORD = "registry-pw-7f3a";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final int port;
  private final Process process;

  private RegistryServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  public static RegistryServer start(Path dir) {
    for (String tool : List.of("/usr/bin/docker-registry", "/usr/bin/htpasswd")) {
      if (!Files.isExecutable(Path.of(tool))) {
        String why = tool + " is missing; run `bash .ci/registry.sh`";
        if (!"true".equals(System.getenv("CI"))) {
          Assumptions.abort(why);
        }
        throw new IllegalStateException(why);
      }
    }
    try {
      int port = freePort();
      Path root = Files.createDirectories(dir.resolve("registry-" + port));
      Path htpasswd = root.resolve("htpasswd");
      Process hash =
          new ProcessBuilder("/usr/bin/htpasswd", "-Bbn", USER, PASSWORD)
              .redirectOutput(htpasswd.toFile())
              .start();
      if (hash.waitFor() != 0) {
        throw new IllegalStateException("htpasswd failed");
      }
      Path config = root.resolve("config.yml");
      Files.writeString(
          config,
          String.join(
              "\n",
              "version: 0.1",
              "log:",
              "  level: warn",
              "storage:",
              "  filesystem:",
              "    rootdirectory: " + root.resolve("data"),
              "  delete:",
              "    enabled: true",
              "http:",
              "  addr: 127.0.0.1:" + port,
              "auth:",
              "  htpasswd:",
              "    realm: gantry-test",
              "    path: " + htpasswd,
              ""));
      Path log = root.resolve("registry.log");
      Process process =
          new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      while (!answers(port)) {
        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "docker-registry did not start on 127.0.0.1:" + port + ": " + Files.readString(log));
        }
        Thread.sleep(100);
      }
      return new RegistryServer(port, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start docker-registry: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting docker-registry", e);
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The secret's value for this registry's login. */
  public static String credentialsJson(String password) {
    return "{\"username\":\"" + USER + "\",\"password\":\"" + password + "\"}";
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
