package dev.gantry.storage.maven;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.deployment.DeployRequest;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;

/**
 * A real Maven repository over HTTP on 127.0.0.1: a directory in repository layout, written with
 * Maven Resolver's deploy API (as {@code mvn deploy} writes it), served read-only with basic auth.
 */
public final class MavenRepositoryServer implements AutoCloseable {
  public static final String USER = "deployer";
  public static final String PASSWORD = "s3cret-token";

  private final Path root;
  private final HttpServer server;
  private final ExecutorService executor;

  private MavenRepositoryServer(Path root, HttpServer server, ExecutorService executor) {
    this.root = root;
    this.server = server;
    this.executor = executor;
  }

  public static MavenRepositoryServer start(Path root) throws IOException {
    Files.createDirectories(root);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server
        .createContext("/", exchange -> serve(root, exchange))
        .setAuthenticator(
            new BasicAuthenticator("gantry-test") {
              @Override
              public boolean checkCredentials(String user, String password) {
                return USER.equals(user) && PASSWORD.equals(password);
              }
            });
    ExecutorService executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.start();
    return new MavenRepositoryServer(root, server, executor);
  }

  private static void serve(Path root, HttpExchange exchange) throws IOException {
    try (exchange) {
      Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")
          || !file.startsWith(root)
          || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : Files.size(file));
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          Files.copy(file, out);
        }
      }
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/repository";
  }

  public String credentialsJson() {
    return "{\"username\": \"" + USER + "\", \"token\": \"" + PASSWORD + "\"}";
  }

  public Path repositoryDirectory() {
    return root.resolve("repository");
  }

  /** Deploys a jar (with a POM without dependencies) as {@code mvn deploy} would. */
  public void deploy(String groupId, String artifactId, String version, Path jar, Path work)
      throws IOException {
    Path pom = Files.createTempFile(work, "pom-", ".xml");
    Files.writeString(
        pom,
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
            + "<groupId>"
            + groupId
            + "</groupId><artifactId>"
            + artifactId
            + "</artifactId><version>"
            + version
            + "</version></project>");
    Artifact jarArtifact = new DefaultArtifact(groupId, artifactId, "jar", version).setPath(jar);
    Artifact pomArtifact = new DefaultArtifact(groupId, artifactId, "pom", version).setPath(pom);
    RepositorySystem system = new RepositorySystemSupplier().get();
    try (CloseableSession session =
        new SessionBuilderSupplier(system)
            .get()
            .withLocalRepositoryBaseDirectories(Files.createTempDirectory(work, "deploy-local-"))
            .build()) {
      system.deploy(
          session,
          new DeployRequest()
              .addArtifact(jarArtifact)
              .addArtifact(pomArtifact)
              .setRepository(
                  new RemoteRepository.Builder(
                          "test-repo", "default", repositoryDirectory().toUri().toString())
                      .build()));
    } catch (Exception e) {
      throw new IOException("deploying " + groupId + ":" + artifactId + ":" + version, e);
    } finally {
      system.shutdown();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
