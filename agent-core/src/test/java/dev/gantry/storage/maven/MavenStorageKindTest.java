package dev.gantry.storage.maven;

import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.storage.Maven;
import dev.gantry.flow.storage.Storage;
import dev.gantry.registration.Registration;
import dev.gantry.storage.StorageKindContractTest;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The storage-kind contract on a real HTTP Maven repository on 127.0.0.1 with basic auth: a frozen
 * release, "replaced" meaning a new jar with matching checksum files.
 */
class MavenStorageKindTest extends StorageKindContractTest {
  private static final String SECRET = "MAVEN_CREDENTIALS";
  private static final String GROUP = "com.acme.contract";
  private MavenRepositoryServer repository;

  @Override
  protected void startServer() throws IOException {
    repository = MavenRepositoryServer.start(dir.resolve("served"));
    vault.set(SECRET, repository.credentialsJson());
  }

  @Override
  protected void stopServer() {
    if (repository != null) {
      repository.close();
    }
  }

  @Override
  protected Storage storage(boolean defaultLabels) throws IOException {
    String artifact = "flow-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);
    Maven maven =
        Maven.artifact(GROUP + ":" + artifact + ":1.0.0", repository.url()).credentials(SECRET);
    return defaultLabels ? maven : maven.withoutDefaultLabels();
  }

  @Override
  protected RegisteredFlow register(Storage storage) throws IOException {
    Maven maven = (Maven) storage;
    Path jars = Files.createTempDirectory(dir, "resolved-");
    try {
      List<Path> resolved =
          new MavenBundleStorage(maven, MavenBundleStorage.credentials(maven, vault::find))
              .resolveJars(jars);
      return gantry.register(
          new Registration(resolved, FACTORY, null, maven, new LinkedHashSet<>(), true));
    } finally {
      WorkDirectory.deleteQuietly(jars);
    }
  }

  @Override
  protected String defaultLabel() {
    return Maven.DEFAULT_LABEL;
  }

  @Override
  protected Map<String, String> runSecrets() {
    return Map.of(SECRET, repository.credentialsJson());
  }

  @Override
  protected Map<String, String> wrongSecrets() {
    return Map.of(SECRET, "{\"username\": \"deployer\", \"token\": \"wrong-token-88\"}");
  }

  private Path artifactDirectory(RegisteredFlow flow) {
    String[] gav = MavenLocation.parse(flow.location()).coordinate().split(":");
    return repository
        .repositoryDirectory()
        .resolve(gav[0].replace('.', '/'))
        .resolve(gav[1])
        .resolve(gav[2]);
  }

  @Override
  protected void tamper(RegisteredFlow flow) throws IOException {
    Path dirOfVersion = artifactDirectory(flow);
    String[] gav = MavenLocation.parse(flow.location()).coordinate().split(":");
    Path jar = dirOfVersion.resolve(gav[1] + "-" + gav[2] + ".jar");
    Files.write(jar, new byte[] {'P', 'K', 3, 4, 0});
    for (String algorithm : List.of("md5", "sha1", "sha256", "sha512")) {
      Path sum = jar.resolveSibling(jar.getFileName() + "." + algorithm);
      if (Files.exists(sum)) {
        String name = algorithm.equals("md5") ? "MD5" : "SHA-" + algorithm.substring(3);
        try {
          Files.writeString(
              sum,
              java.util.HexFormat.of()
                  .formatHex(
                      java.security.MessageDigest.getInstance(name)
                          .digest(Files.readAllBytes(jar))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Override
  protected void delete(RegisteredFlow flow) throws IOException {
    WorkDirectory.deleteQuietly(artifactDirectory(flow));
  }

  @Override
  protected String named(RegisteredFlow flow) {
    return MavenLocation.parse(flow.location()).describe();
  }

  @Override
  protected boolean pushable() {
    return false;
  }
}
