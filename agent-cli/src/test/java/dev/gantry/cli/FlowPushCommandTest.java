package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.S3;
import dev.gantry.secrets.BackendSecretSource;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.storage.s3.S3Location;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * {@code gantry flow push}: a new source bundle written to the stable location of a flow's newest
 * version, on local storage and on S3 (S3Proxy), changes what the version's next run (a child JVM
 * of a local agent) does, with no new version; each run records the bundle it ran, which {@code run
 * show} prints; refusals are one line and change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowPushCommandTest {
  private static final String BUCKET = "pushed";
  private static final Duration RUN_TIME = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private S3ProxyServer server;
  private LocalGantry gantry;
  private Agent agent;

  @BeforeAll
  void start() throws Exception {
    server = S3ProxyServer.start(dir.resolve("s3"));
    server.createBucket(BUCKET);
    gantry = new LocalGantry(dir.resolve("home"));
    Path credentials = Files.writeString(dir.resolve("aws.json"), server.credentialsJson() + "\n");
    CliResult set =
        gantry("secret", "set", "AWS_CREDENTIALS", "--from-file", credentials.toString());
    assertThat(set.exitCode()).as(set.err()).isZero();
    AgentOptions options =
        AgentOptions.defaults("push-agent", Set.of(Local.hostName(), S3.DEFAULT_LABEL))
            .withPollInterval(Duration.ofMillis(100))
            .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3));
    agent =
        new Agent(
            gantry.client.backend(),
            gantry.launcher,
            options,
            BackendSecretSource.of(gantry.client.backend(), gantry.home.dir()));
    agent.start();
  }

  @AfterAll
  void stop() {
    if (agent != null) {
      agent.stop();
    }
    if (gantry != null) {
      gantry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aPushToLocalStorageChangesTheNextRunOfTheSameVersionAndRunShowSaysWhichBundleEachRan()
      throws Exception {
    CliResult register = registerSource("local-hot", "v1");
    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("local-hot");
    FlowRun first = runToEnd("local-hot");

    CliResult push =
        gantry("flow", "push", "local-hot", "--jar", jar("local-hot", "v2").toString());

    assertThat(push.exitCode()).as(push.err()).isZero();
    Path stored = Path.of(URI.create(flow.location()));
    String pushed = Sha256.of(stored);
    assertThat(push.out())
        .contains("Pushed flow local-hot version 1: sha256:" + pushed)
        .contains("pushed by " + System.getProperty("user.name"));
    FlowRun second = runToEnd("local-hot");
    assertThat(second.flowVersion()).isEqualTo(first.flowVersion()).isEqualTo(1);
    assertThat(gantry.client.versions("local-hot")).hasSize(1);
    assertThat(logs(first)).anySatisfy(l -> assertThat(l.message()).isEqualTo("local-hot v1"));
    assertThat(logs(second)).anySatisfy(l -> assertThat(l.message()).isEqualTo("local-hot v2"));
    assertThat(gantry("run", "show", first.id()).out())
        .contains("Bundle     sha256:" + flow.digest() + " as registered");
    assertThat(gantry("run", "show", second.id()).out())
        .containsPattern(
            "Bundle     sha256:"
                + pushed
                + " pushed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d by "
                + System.getProperty("user.name"));
    assertThat(gantry("flow", "pushes", "local-hot").out()).contains(pushed);
  }

  @Test
  void aPushToS3ChangesTheNextRunWithoutANewVersion() throws Exception {
    CliResult register =
        registerSource(
            "s3-hot",
            "v1",
            "--storage",
            "s3://" + BUCKET + "/team",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "AWS_CREDENTIALS");
    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("s3-hot");
    FlowRun first = runToEnd("s3-hot");

    CliResult push = gantry("flow", "push", "s3-hot", "--jar", jar("s3-hot", "v2").toString());

    assertThat(push.exitCode()).as(push.err()).isZero();
    String pushed = Sha256.of(s3Object(flow));
    assertThat(pushed).isNotEqualTo(flow.digest());
    assertThat(push.out()).contains("sha256:" + pushed);
    FlowRun second = runToEnd("s3-hot");
    assertThat(gantry.client.versions("s3-hot")).hasSize(1);
    assertThat(logs(first)).anySatisfy(l -> assertThat(l.message()).isEqualTo("s3-hot v1"));
    assertThat(logs(second)).anySatisfy(l -> assertThat(l.message()).isEqualTo("s3-hot v2"));
    assertThat(gantry("run", "show", first.id()).out())
        .contains("Bundle     sha256:" + flow.digest() + " as registered");
    assertThat(gantry("run", "show", second.id()).out())
        .contains("Bundle     sha256:" + pushed + " pushed ");
  }

  @Test
  void overTheApiThePushIsTheTokensAndRunShowPrintsWhatTheDatabaseModePrints() throws Exception {
    registerSource("api-hot", "v1");
    try (GantryServer server =
        GantryServer.start(
            gantry.client,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES))) {
      String url = "http://127.0.0.1:" + server.port();
      String token =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("ci-push", Role.DEPLOYER, null)
              .value();
      String jar = jar("api-hot", "v2").toString();

      CliResult push =
          CliResult.run("flow", "push", "api-hot", "--jar", jar, "--api", url, "--token", token);

      assertThat(push.exitCode()).as(push.err()).isZero();
      assertThat(push.out()).contains("pushed by ci-push");
      FlowRun run = runToEnd("api-hot");
      assertThat(logs(run)).anySatisfy(l -> assertThat(l.message()).isEqualTo("api-hot v2"));
      String viaDatabase = gantry("run", "show", run.id()).out();
      String viaApi = CliResult.run("run", "show", run.id(), "--api", url, "--token", token).out();
      assertThat(viaApi).isEqualTo(viaDatabase).contains(" pushed ").contains(" by ci-push");
      assertThat(CliResult.run("flow", "pushes", "api-hot", "--api", url, "--token", token).out())
          .isEqualTo(gantry("flow", "pushes", "api-hot").out());
      CliResult refused =
          CliResult.run(
              "flow", "push", "greeting-none", "--jar", jar, "--api", url, "--token", token);
      assertOneLine(refused, "no flow named 'greeting-none' is registered");
    }
  }

  @Test
  void aPushedBundleTamperedWithAfterThePushIsStillRefusedByTheRun() throws Exception {
    registerSource("tampered-hot", "v1");
    RegisteredFlow flow = gantry.client.flow("tampered-hot");
    CliResult push =
        gantry("flow", "push", "tampered-hot", "--jar", jar("tampered-hot", "v2").toString());
    assertThat(push.exitCode()).as(push.err()).isZero();
    Path stored = Path.of(URI.create(flow.location()));
    replaceJarEntry(stored, jar("tampered-hot", "evil"));

    FlowRun run = runToEnd("tampered-hot");

    assertThat(run.state()).isEqualTo(RunState.Failed);
    assertThat(run.message()).contains("tampered with").doesNotContain("\n");
    assertThat(logs(run)).noneSatisfy(l -> assertThat(l.message()).contains("evil"));
  }

  @Test
  void refusalsAreOneLineAndChangeNothing() throws Exception {
    registerSource("refused-hot", "v1");
    RegisteredFlow source = gantry.client.flow("refused-hot");
    Path stored = Path.of(URI.create(source.location()));
    String before = Sha256.of(stored);
    CliResult serialized =
        gantry(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            "dev.gantry.examples.Greeting#greeting");
    assertThat(serialized.exitCode()).as(serialized.err()).isZero();
    crafted("maven-flow", BundleFormat.source, "maven:com.acme:flows:1.0?repo=x", null);
    crafted("image-flow", BundleFormat.module, "module:a.B#c", "127.0.0.1:5000/f@sha256:ab12");
    crafted("module-flow", BundleFormat.module, "module:a.B#c", null);
    String other = jar("other-flow", "v1").toString();

    assertOneLine(push("no-such-flow", other), "no flow named 'no-such-flow' is registered");
    assertOneLine(
        push("greeting", ExamplesJar.path().toString()),
        "flow 'greeting' version 1 was registered as a serialized bundle",
        "register a new version");
    assertOneLine(
        push("maven-flow", other), "is resolved from a Maven repository", "register a new version");
    assertOneLine(push("image-flow", other), "frozen by its digest", "register a new version");
    assertOneLine(push("module-flow", other), "module storage", "register a new version");
    assertOneLine(
        push("refused-hot", other),
        "builds flow 'other-flow', not 'refused-hot'",
        "gantry flow push other-flow");
    assertOneLine(
        gantry("flow", "push", "refused-hot", "--jar", other, "--factory", "hot.Missing#flow"),
        "hot.Missing");
    assertOneLine(push("refused-hot", dir.resolve("absent.jar").toString()), "absent.jar");

    assertThat(Sha256.of(stored)).isEqualTo(before);
    for (String name : List.of("refused-hot", "greeting", "maven-flow", "module-flow")) {
      assertThat(gantry.client.pushes(name)).as(name).isEmpty();
    }
  }

  @Test
  void aStorageErrorNamesTheLocationAndChangesNothing() throws Exception {
    Path good = Files.writeString(dir.resolve("rotating.json"), server.credentialsJson());
    assertThat(gantry("secret", "set", "PUSH_AWS", "--from-file", good.toString()).exitCode())
        .isZero();
    CliResult register =
        registerSource(
            "s3-denied",
            "v1",
            "--storage",
            "s3://" + BUCKET + "/denied",
            "--s3-endpoint",
            server.endpoint(),
            "--s3-credentials-secret",
            "PUSH_AWS");
    assertThat(register.exitCode()).as(register.err()).isZero();
    RegisteredFlow flow = gantry.client.flow("s3-denied");
    String before = Sha256.of(s3Object(flow));
    gantry(
        "secret",
        "set",
        "PUSH_AWS",
        "--value",
        "{\"ACCESS_KEY\": \"" + server.accessKey() + "\", \"SECRET_ACCESS_KEY\": \"wrong-key\"}");

    CliResult push = push("s3-denied", jar("s3-denied", "v2").toString());

    assertOneLine(push, "s3://" + BUCKET + "/denied/s3-denied/source.gantry");
    assertThat(push.err()).doesNotContain("wrong-key");
    assertThat(Sha256.of(s3Object(flow))).isEqualTo(before);
    assertThat(gantry.client.pushes("s3-denied")).isEmpty();
  }

  private CliResult push(String flow, String jar) {
    return gantry("flow", "push", flow, "--jar", jar);
  }

  private static void assertOneLine(CliResult result, String... parts) {
    assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
    assertThat(result.err().strip()).startsWith("error: ").doesNotContain("\n").contains(parts);
  }

  private void crafted(String name, BundleFormat format, String location, String image) {
    gantry
        .client
        .backend()
        .flows()
        .register(
            new NewFlowVersion(
                name, format, location, null, "a.B#c", image, List.of(), Set.of(), List.of()));
  }

  private CliResult registerSource(String name, String version, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "flow",
                "register",
                "--jar",
                jar(name, version).toString(),
                "--factory",
                "hot.Flows#hot",
                "--as-source"));
    args.addAll(List.of(more));
    return gantry(args.toArray(String[]::new));
  }

  private FlowRun runToEnd(String flow) {
    FlowRun done = gantry.awaitEnd(gantry.run(flow, Map.of()).id(), RUN_TIME);
    assertThat(done.state()).isIn(RunState.Success, RunState.Failed);
    return done;
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + gantry.home.dir());
    return CliResult.run(all.toArray(String[]::new));
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  private Path s3Object(RegisteredFlow flow) throws Exception {
    S3Location location = S3Location.parse(flow.location());
    Path copy = Files.createTempFile(dir, "s3-", ".gantry");
    try (S3Client s3 = server.client()) {
      ResponseBytes<GetObjectResponse> bytes =
          s3.getObjectAsBytes(g -> g.bucket(BUCKET).key(location.key()));
      Files.write(copy, bytes.asByteArray());
    }
    return copy;
  }

  /** Puts another jar's bytes under the bundle's jar entry, leaving its manifest as pushed. */
  private static void replaceJarEntry(Path bundle, Path evil) throws Exception {
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (ZipFile zip = new ZipFile(bundle.toFile());
        ZipOutputStream out = new ZipOutputStream(rewritten)) {
      for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
        ZipEntry entry = it.nextElement();
        out.putNextEntry(new ZipEntry(entry.getName()));
        try (InputStream in =
            entry.getName().startsWith("jars/")
                ? Files.newInputStream(evil)
                : zip.getInputStream(entry)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    try (OutputStream file = Files.newOutputStream(bundle)) {
      rewritten.writeTo(file);
    }
  }

  /** A jar of {@code hot.Flows#hot}: flow NAME whose one task prints "NAME VERSION". */
  private static Path jar(String name, String version) throws Exception {
    Path jar = dir.resolve("jars").resolve(name + "-" + version).resolve("hot.jar");
    if (Files.exists(jar)) {
      return jar;
    }
    Files.createDirectories(jar.getParent());
    return BundleFixtures.compileJar(
        jar,
        Map.of(
            "hot.Flows",
            """
            package hot;

            import dev.gantry.flow.Flow;

            public final class Flows {
              public static Flow hot() {
                Flow flow = new Flow("%s");
                flow.task("say", () -> {
                  System.out.println("%s %s");
                  return "%s";
                });
                return flow;
              }
            }
            """
                .formatted(name, name, version, version)));
  }
}
