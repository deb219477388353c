package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.bundle.Sha256;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gantry flow bundle} writes a bundle without registering; {@code flow register --bundle}
 * registers it unchanged against the database and through a real server alike, with the same output
 * and the same one-line refusals. Commands that work on the database by design refuse an explicit
 * {@code --api} and ignore {@code GANTRY_API_URL}.
 */
class FlowBundleCliTest {
  private static final String ETL = "dev.gantry.examples.Etl#etl";

  @TempDir Path home;
  @TempDir Path dir;
  private RemoteGantry gantry;
  private String token;

  @AfterEach
  void close() {
    if (gantry != null) {
      gantry.close();
    }
  }

  private void start(String database) {
    gantry = RemoteGantry.start(home, database);
    token = gantry.token("bundle-deployer", Role.DEPLOYER);
  }

  private Path bundle(String name, String... extra) throws java.io.IOException {
    Path file = dir.resolve(name);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "flow",
                "bundle",
                "--jar",
                ExamplesJar.path().toString(),
                "--factory",
                ETL,
                "-o",
                file.toString()));
    args.addAll(List.of(extra));
    CliResult written = CliResult.run(args.toArray(String[]::new));
    assertThat(written.exitCode()).as(written.err()).isZero();
    assertThat(written.out())
        .startsWith("Wrote bundle of flow etl (")
        .contains("factory:  " + ETL)
        .contains("sha256:   " + Sha256.of(file));
    return file;
  }

  /** Register's output without the version number, which differs between the two calls. */
  private static String withoutVersion(String registered) {
    return registered.replaceAll("version \\d+", "version N");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aBundleRegistersUnchangedBothWaysWithTheSameOutput(String database) throws Exception {
    start(database);
    Path file = bundle("etl.gantry");
    assertThat(gantry.local.client.flows()).isEmpty(); // bundling registers nothing

    String[] register = {"flow", "register", "--bundle", file.toString(), "-l", "team-a"};
    CliResult direct = gantry.db(register);
    CliResult remote = gantry.api(token, register);

    assertThat(direct.exitCode()).as(direct.err()).isZero();
    assertThat(remote.exitCode()).as(remote.err()).isZero();
    assertThat(direct.out())
        .startsWith("Registered flow etl version 1 (serialized)")
        .contains("sha256:   " + Sha256.of(file))
        .contains("team-a (registration)");
    assertThat(withoutVersion(remote.out())).isEqualTo(withoutVersion(direct.out()));
    assertThat(remote.err()).isEqualTo(direct.err());
    DatabaseGantryClient client = gantry.local.client;
    Path stored = Path.of(java.net.URI.create(client.flow("etl").location()));
    assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(file));

    Path source = bundle("etl-source.gantry", "--as-source");
    CliResult asSource = gantry.api(token, "flow", "register", "--bundle", source.toString());
    assertThat(asSource.out())
        .as(asSource.err())
        .startsWith("Registered flow etl version 3 (source)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void badBundlesGiveTheSameOneLineErrorBothWays(String database) throws Exception {
    start(database);
    Path good = bundle("etl.gantry");
    Path tampered = dir.resolve("tampered.gantry");
    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length / 2] ^= 1;
    Files.write(tampered, bytes);
    Path text = Files.writeString(dir.resolve("notes.gantry"), "not a bundle");
    for (List<String> args :
        List.of(
            List.of("flow", "register", "--bundle", tampered.toString()),
            List.of("flow", "register", "--bundle", text.toString()),
            List.of("flow", "register", "--bundle", dir.resolve("missing.gantry").toString()),
            List.of(
                "flow",
                "register",
                "--bundle",
                good.toString(),
                "--jar",
                ExamplesJar.path().toString()),
            List.of("flow", "register", "--bundle", good.toString(), "--storage", "module"),
            List.of("flow", "register", "--jar", ExamplesJar.path().toString()))) {
      CliResult direct = gantry.db(args.toArray(String[]::new));
      CliResult remote = gantry.api(token, args.toArray(String[]::new));
      String what = String.join(" ", args);
      assertThat(direct.exitCode()).as(what).isNotZero();
      assertThat(direct.err().strip()).as(what).startsWith("error: ").doesNotContain("\n");
      assertThat(remote.err()).as(what).isEqualTo(direct.err());
      assertThat(remote.exitCode()).as(what).isEqualTo(direct.exitCode());
    }
    assertThat(gantry.local.client.flows()).isEmpty();
    assertThat(gantry.allPrinted()).doesNotContain(token);
  }

  @Test
  void databaseCommandsRefuseAnExplicitApiInOneLine() {
    for (List<String> args :
        List.of(
            List.of("token", "list", "--api", "http://127.0.0.1:1"),
            List.of("token", "create", "ci", "--role", "viewer", "--api", "http://127.0.0.1:1"),
            List.of("agent", "start", "local", "--api", "http://127.0.0.1:1"),
            List.of("server", "start", "--api", "http://127.0.0.1:1"),
            List.of("token", "list", "--token", "gantry_x"))) {
      List<String> all = new java.util.ArrayList<>(args);
      all.add("--home=" + home);
      CliResult result = CliResult.run(all.toArray(String[]::new));
      String what = String.join(" ", args);
      assertThat(result.exitCode()).as(what).isNotZero();
      assertThat(result.err().strip())
          .as(what)
          .startsWith("error: --")
          .contains("does not apply to gantry " + args.get(0))
          .contains("works on the database by design")
          .doesNotContain("\n");
    }
    assertThat(home.resolve("db")).doesNotExist(); // refused before opening anything
  }

  @Test
  void databaseCommandsIgnoreGantryApiUrlAndUserCommandsFollowIt() {
    BackendOptions options = new BackendOptions();
    options.home = home;
    options.environment = Map.of("GANTRY_API_URL", "http://127.0.0.1:1");
    try (DatabaseGantryClient database = options.open()) {
      assertThat(database.flows()).isEmpty();
    }
    assertThat(options.apiUrl()).isEqualTo("http://127.0.0.1:1");
  }
}
