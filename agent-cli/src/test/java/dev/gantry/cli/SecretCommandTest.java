package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.secrets.SecretVault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry secret set|list|delete} as users type them. */
class SecretCommandTest {
  private static final String VALUE = "tok-3f9a0c1d-never-printed";

  @TempDir Path home;

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    return CliResult.run(all.toArray(String[]::new));
  }

  private Optional<String> stored(String name) {
    try (DatabaseGantryClient client = GantryClient.open(new GantryHome(home), null)) {
      return SecretVault.of(client.backend(), home).find(name);
    }
  }

  @Test
  void setFromAValueAFileAndAVariableThenListShowsNamesAndTimesOnly() throws Exception {
    Path file = Files.writeString(home.resolve("token.txt"), VALUE + "-file\n");
    String variable = System.getenv().containsKey("HOME") ? "HOME" : "PATH";

    CliResult first = gantry("secret", "set", "API_TOKEN", "--value", VALUE);
    CliResult fromFile = gantry("secret", "set", "FILE_TOKEN", "--from-file", file.toString());
    CliResult fromEnv = gantry("secret", "set", "ENV_VALUE", "--from-env", variable);
    CliResult list = gantry("secret", "list");

    assertThat(first.exitCode()).isZero();
    assertThat(first.out())
        .contains("Created the secret key file " + home.resolve("secret.key"))
        .contains("Secret API_TOKEN set (encrypted with the key from key file");
    assertThat(fromFile.exitCode()).isZero();
    assertThat(fromFile.out()).doesNotContain("Created the secret key file");
    assertThat(fromEnv.exitCode()).isZero();
    assertThat(list.out()).contains("NAME", "UPDATED", "API_TOKEN", "ENV_VALUE", "FILE_TOKEN");
    assertThat(list.out() + first.out() + fromFile.out()).doesNotContain(VALUE);
    assertThat(stored("API_TOKEN")).contains(VALUE);
    assertThat(stored("FILE_TOKEN")).as("one final line break dropped").contains(VALUE + "-file");
    assertThat(stored("ENV_VALUE")).contains(System.getenv(variable));
  }

  @Test
  void setReplacesAndDeleteRemoves() {
    gantry("secret", "set", "API_TOKEN", "--value", "first-value");
    gantry("secret", "set", "API_TOKEN", "--value", "second-value");

    assertThat(stored("API_TOKEN")).contains("second-value");
    CliResult delete = gantry("secret", "delete", "API_TOKEN");
    assertThat(delete.exitCode()).isZero();
    assertThat(delete.out()).contains("Secret API_TOKEN deleted");
    assertThat(stored("API_TOKEN")).isEmpty();
    assertThat(gantry("secret", "list").out()).contains("No secrets.");
  }

  @Test
  void mistakesAreOneLineErrors() {
    CliResult unknown = gantry("secret", "delete", "NOPE");
    CliResult noSource = gantry("secret", "set", "X");
    CliResult twoSources = gantry("secret", "set", "X", "--value", "abcd", "--from-env", "HOME");
    CliResult unsetVariable =
        gantry("secret", "set", "X", "--from-env", "GANTRY_TEST_SURELY_UNSET_VARIABLE");
    CliResult missingFile =
        gantry("secret", "set", "X", "--from-file", home.resolve("absent").toString());
    CliResult badName = gantry("secret", "set", "no spaces", "--value", "abcd");

    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("error: no secret named 'NOPE'");
    assertThat(noSource.exitCode()).isEqualTo(2);
    assertThat(noSource.err()).contains("--value").contains("--from-file").contains("--from-env");
    assertThat(twoSources.exitCode()).isEqualTo(2);
    assertThat(twoSources.err()).contains("mutually exclusive");
    assertThat(unsetVariable.err())
        .contains("error: environment variable GANTRY_TEST_SURELY_UNSET_VARIABLE is not set");
    assertThat(missingFile.err())
        .contains("error: file " + home.resolve("absent") + " does not exist");
    assertThat(badName.err()).contains("error: invalid secret name 'no spaces'");
  }
}
