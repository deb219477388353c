package dev.gantry.storage.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ExitCodes;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.flow.storage.Maven;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.testing.BootstrapProcess;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maven storage end to end against a real Maven repository served over HTTP on 127.0.0.1 with basic
 * auth (the credentials from a secret): registration resolves and freezes a release, the bootstrap
 * in a child JVM resolves again and runs it, a replaced release jar is refused, a redeployed
 * snapshot is picked up by the next run, and failures are one line naming the location.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MavenStorageTest {
  private static final String GROUP = "com.acme.flows";
  private static final String SECRET = "MAVEN_CREDENTIALS";
  private static final String FACTORY = "dev.gantry.examples.Chatty#chatty";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private MavenRepositoryServer repository;
  private DatabaseGantryClient gantry;
  private SecretVault vault;

  @BeforeAll
  void start() throws IOException {
    repository = MavenRepositoryServer.start(dir.resolve("served"));
    gantry = GantryClient.open(new GantryHome(dir.resolve("home")), null);
    vault = SecretVault.of(gantry.backend(), gantry.home().dir());
    vault.set(SECRET, repository.credentialsJson());
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (repository != null) {
      repository.close();
    }
  }

  private Maven storage(String coordinate) {
    return Maven.artifact(coordinate, repository.url()).credentials(SECRET);
  }

  private RegisteredFlow register(Maven storage) throws IOException {
    SecretLookup secrets = vault::find;
    List<Path> jars =
        new MavenBundleStorage(storage, MavenBundleStorage.credentials(storage, secrets))
            .resolveJars(Files.createTempDirectory(dir, "registration-"));
    return gantry.register(
        new Registration(jars, FACTORY, null, storage, new LinkedHashSet<>(), true));
  }

  private BootstrapProcess.Result run(RegisteredFlow flow, String credentials) {
    BootstrapSpec spec =
        new BootstrapSpec(
            UUID.randomUUID().toString(),
            1,
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            Map.of(),
            Set.of(SECRET));
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    env.put("GANTRY_SECRET_" + SECRET, credentials);
    return BootstrapProcess.run(env, List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"), dir, TIMEOUT);
  }

  @Test
  void aReleaseIsFrozenAtRegistrationAndRunsFromTheRepository() throws IOException {
    String artifact = "chatty-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);

    RegisteredFlow flow = register(storage(GROUP + ":" + artifact + ":1.0.0"));

    assertThat(flow.location())
        .startsWith("maven:" + GROUP + ":" + artifact + ":1.0.0?")
        .contains(Sha256.of(ExamplesJar.path()))
        .doesNotContain(MavenRepositoryServer.PASSWORD);
    assertThat(flow.labels()).extracting(FlowLabel::label).contains(Maven.DEFAULT_LABEL);
    assertThat(flow.secrets()).contains(SECRET);
    BootstrapProcess.Result result = run(flow, repository.credentialsJson());
    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(String.join("\n", result.lines()))
        .contains("runs frozen release " + GROUP + ":" + artifact + ":jar:1.0.0")
        .contains(Sha256.of(ExamplesJar.path()));
  }

  @Test
  void aReleaseJarReplacedWithMatchingChecksumsIsRefusedInOneLine() throws IOException {
    String artifact = "tampered-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "2.0.0", ExamplesJar.path(), dir);
    RegisteredFlow flow = register(storage(GROUP + ":" + artifact + ":2.0.0"));
    Path deployed =
        repository
            .repositoryDirectory()
            .resolve("com/acme/flows/" + artifact + "/2.0.0/" + artifact + "-2.0.0.jar");
    Path evil = alteredCopy(ExamplesJar.path());
    Files.copy(evil, deployed, StandardCopyOption.REPLACE_EXISTING);
    rewriteChecksums(deployed); // so only the frozen digest can notice

    BootstrapProcess.Result result = run(flow, repository.credentialsJson());

    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.LOAD_FAILED);
    assertThat(result.resultLine())
        .contains("maven:" + GROUP + ":" + artifact + ":2.0.0 in " + repository.url())
        .contains("has SHA-256 " + Sha256.of(evil))
        .contains("frozen at registration")
        .contains("refusing to run it");
    assertThat(result.lines()).noneMatch(l -> l.contains("\"event\":\"task\""));
  }

  @Test
  void aReleaseJarReplacedWithoutItsChecksumsFailsTheChecksumCheck() throws IOException {
    String artifact = "corrupt-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);
    RegisteredFlow flow = register(storage(GROUP + ":" + artifact + ":1.0.0"));
    Path deployed =
        repository
            .repositoryDirectory()
            .resolve("com/acme/flows/" + artifact + "/1.0.0/" + artifact + "-1.0.0.jar");
    Files.copy(alteredCopy(ExamplesJar.path()), deployed, StandardCopyOption.REPLACE_EXISTING);

    BootstrapProcess.Result result = run(flow, repository.credentialsJson());

    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.LOAD_FAILED);
    assertThat(result.resultLine())
        .contains("maven:" + GROUP + ":" + artifact + ":1.0.0")
        .contains("does not match the repository's checksum");
  }

  @Test
  void aRedeployedSnapshotIsPickedUpByTheNextRunWhichRecordsItsBuild() throws IOException {
    String artifact = "snapshot-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.1-SNAPSHOT", ExamplesJar.path(), dir);
    RegisteredFlow flow = register(storage(GROUP + ":" + artifact + ":1.1-SNAPSHOT"));
    assertThat(flow.location()).doesNotContain("sha256=");

    BootstrapProcess.Result first = run(flow, repository.credentialsJson());
    assertThat(first.exitCode()).as("%s", first.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(String.join("\n", first.lines()))
        .containsPattern(
            "runs snapshot build " + GROUP + ":" + artifact + ":jar:1\\.1-\\d{8}\\.\\d{6}-1 ")
        .contains(Sha256.of(ExamplesJar.path()));

    Path rebuilt = alteredCopy(ExamplesJar.path());
    repository.deploy(GROUP, artifact, "1.1-SNAPSHOT", rebuilt, dir);
    BootstrapProcess.Result second = run(flow, repository.credentialsJson());

    assertThat(second.exitCode()).as("%s", second.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(String.join("\n", second.lines()))
        .containsPattern(
            "runs snapshot build " + GROUP + ":" + artifact + ":jar:1\\.1-\\d{8}\\.\\d{6}-2 ")
        .contains(Sha256.of(rebuilt));
  }

  @Test
  void aWrongPasswordFailsRegistrationAndTheRunInOneLineNamingTheLocation() throws IOException {
    String artifact = "locked-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);
    RegisteredFlow flow = register(storage(GROUP + ":" + artifact + ":1.0.0"));
    String wrong = "{\"username\": \"deployer\", \"token\": \"not-the-token\"}";

    BootstrapProcess.Result result = run(flow, wrong);

    assertThat(result.exitCode()).isEqualTo(ExitCodes.LOAD_FAILED);
    assertThat(result.resultLine())
        .contains("maven:" + GROUP + ":" + artifact + ":1.0.0 in " + repository.url())
        .contains("refused the credentials")
        .doesNotContain("not-the-token");
    Maven storage = storage(GROUP + ":" + artifact + ":1.0.0");
    assertThatThrownBy(
            () ->
                new MavenBundleStorage(storage, MavenCredentials.parse(SECRET, wrong))
                    .resolveJars(Files.createTempDirectory(dir, "wrong-")))
        .hasMessageContaining("refused the credentials")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aMissingArtifactFailsRegistrationInOneLineNamingTheLocation() {
    String coordinate = GROUP + ":never-deployed:1.0.0";
    assertThatThrownBy(() -> register(storage(coordinate)))
        .hasMessageContaining("maven:" + coordinate + " in " + repository.url())
        .hasMessageContaining("is not in the repository; deploy it")
        .hasMessageNotContaining("\n");
  }

  @Test
  void noDefaultLabelsLeavesOutMavenFlowStorage() throws IOException {
    String artifact = "unlabelled-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);
    RegisteredFlow flow =
        register(storage(GROUP + ":" + artifact + ":1.0.0").withoutDefaultLabels());
    assertThat(flow.labels()).extracting(FlowLabel::label).doesNotContain(Maven.DEFAULT_LABEL);
  }

  @Test
  void aSettingsXmlServerInTheSecretReadsTheRepository() throws IOException {
    String artifact = "settings-" + UUID.randomUUID().toString().substring(0, 8);
    repository.deploy(GROUP, artifact, "1.0.0", ExamplesJar.path(), dir);
    String settings =
        "<settings><servers><server><id>flows</id><username>"
            + MavenRepositoryServer.USER
            + "</username><password>"
            + MavenRepositoryServer.PASSWORD
            + "</password></server></servers></settings>";

    List<Path> jars =
        new MavenBundleStorage(
                storage(GROUP + ":" + artifact + ":1.0.0"),
                MavenCredentials.parse(SECRET, settings))
            .resolveJars(Files.createTempDirectory(dir, "settings-"));

    assertThat(jars).hasSize(1);
    assertThat(Sha256.of(jars.get(0))).isEqualTo(Sha256.of(ExamplesJar.path()));
  }

  @Test
  void aSettingsXmlServerIsAcceptedAsCredentials() {
    MavenCredentials parsed =
        MavenCredentials.parse(
            SECRET,
            "<settings><servers><server><id>acme</id><username>u</username>"
                + "<password>p</password></server></servers></settings>");
    assertThat(parsed).isEqualTo(new MavenCredentials("u", "p"));
    assertThatThrownBy(() -> MavenCredentials.parse(SECRET, "{\"user\": \"x\"}"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("secret " + SECRET)
        .hasMessageNotContaining("\"x\"");
  }

  /** The jar with one more entry: another build of the same code. */
  private static Path alteredCopy(Path jar) throws IOException {
    Path copy = Files.createTempFile(dir, "rebuilt-", ".jar");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry("rebuilt-" + UUID.randomUUID()));
      out.closeEntry();
    }
    return copy;
  }

  private static void rewriteChecksums(Path file) throws IOException {
    for (String algorithm : List.of("md5", "sha1", "sha256", "sha512")) {
      Path sum = file.resolveSibling(file.getFileName() + "." + algorithm);
      if (Files.exists(sum)) {
        String name = algorithm.startsWith("sha") ? "SHA-" + algorithm.substring(3) : "MD5";
        try {
          byte[] digest =
              java.security.MessageDigest.getInstance(name).digest(Files.readAllBytes(file));
          try (OutputStream out = Files.newOutputStream(sum)) {
            out.write(java.util.HexFormat.of().formatHex(digest).getBytes());
          }
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
