package dev.gantry.docker.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real container registry (Debian's {@code docker-registry}, registry v2) on 127.0.0.1, as a
 * process of its own, empty, optionally with htpasswd authentication. Missing on a developer's
 * machine it skips the test; with {@code CI=true} it fails it ({@code .ci/docker-engine.sh}
 * installs it).
 */
public final class LocalRegistry implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/bin/docker-registry");
  private static final Path HTPASSWD = Path.of("/usr/bin/htpasswd");

  private final Process process;
  private final int port;

  private LocalRegistry(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts an empty registry; with {@code user} set, pulls need that user's credentials. */
  public static LocalRegistry start(Path dir, String user) throws Exception {
    boolean present = Files.isExecutable(BINARY) && (user == null || Files.isExecutable(HTPASSWD));
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI=true but docker-registry or htpasswd is missing; .ci/docker-engine.sh installs"
              + " docker-registry and apache2-utils");
    }
    Assumptions.assumeTrue(present, "docker-registry (and htpasswd) not installed");
    Files.createDirectories(dir);
    int port = freePort();
    StringBuilder config =
        new StringBuilder("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ")
            .append(dir.resolve("data"))
            .append("\nhttp:\n  addr: 127.0.0.1:")
            .append(port)
            .append("\n");
    if (user != null) {
      Path passwords = dir.resolve("htpasswd");
      Process htpasswd =
          new ProcessBuilder(HTPASSWD.toString(), "-Bbn", user, "secret-" + user)
              .redirectOutput(passwords.toFile())
              .start();
      if (!htpasswd.waitFor(30, TimeUnit.SECONDS) || htpasswd.exitValue() != 0) {
        throw new IllegalStateException("htpasswd failed");
      }
      config
          .append("auth:\n  htpasswd:\n    realm: gantry-test\n    path: ")
          .append(passwords)
          .append("\n");
    }
    Path file = dir.resolve("config.yml");
    Files.writeString(file, config);
    Process process =
        new ProcessBuilder(BINARY.toString(), "serve", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    LocalRegistry registry = new LocalRegistry(process, port);
    registry.awaitAnswer(Duration.ofSeconds(30));
    return registry;
  }

  /** An address on 127.0.0.1 where nothing listens (now). */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** {@code 127.0.0.1:PORT}, the registry part of its image names. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  private void awaitAnswer(Duration within) throws Exception {
    Instant until = Instant.now().plus(within);
    while (Instant.now().isBefore(until)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + process.exitValue());
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
        c.setConnectTimeout(500);
        int status = c.getResponseCode();
        c.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("docker-registry did not answer on " + host());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
