package dev.gantry.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.Backend;
import dev.gantry.backend.SecretStore.StoredSecret;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.supervision.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets at rest: AES-GCM per value, the name bound in, the key from the environment or file. */
class SecretVaultTest {
  private static final String VALUE = "s3cr3t-v@lue-that-must-never-leak";

  @TempDir Path home;
  private Backend backend;

  @BeforeEach
  void open() {
    backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private SecretVault vault(Map<String, String> environment) {
    return new SecretVault(backend.secrets(), home, environment);
  }

  @Test
  void aSecretRoundTripsAndIsStoredOnlyEncrypted() throws Exception {
    vault(Map.of()).set("DB_PASSWORD", VALUE);

    assertThat(vault(Map.of()).find("DB_PASSWORD")).contains(VALUE);
    assertThat(vault(Map.of()).find("OTHER")).isEmpty();
    assertThat(secretsTableAsText()).isNotEmpty().noneMatch(cell -> cell.contains(VALUE));
  }

  @Test
  void eachValueGetsItsOwnNonceSoEqualValuesLookDifferent() {
    SecretVault vault = vault(Map.of());
    vault.set("A", VALUE);
    vault.set("B", VALUE);

    StoredSecret a = backend.secrets().find("A").orElseThrow();
    StoredSecret b = backend.secrets().find("B").orElseThrow();

    assertThat(a.nonce()).hasSize(12).isNotEqualTo(b.nonce());
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
  }

  @Test
  void aCiphertextCopiedToAnotherNameDoesNotDecrypt() {
    vault(Map.of()).set("A", VALUE);
    StoredSecret a = backend.secrets().find("A").orElseThrow();
    backend.secrets().put(new StoredSecret("B", a.nonce(), a.ciphertext(), null));

    assertThatThrownBy(() -> vault(Map.of()).find("B"))
        .isInstanceOf(SecretUnreadableException.class)
        .hasMessageContaining("secret 'B' cannot be decrypted");
  }

  @Test
  void theKeyFileIsCreatedOnFirstSetReadableByItsOwnerOnly() throws Exception {
    Path keyFile = home.resolve("secret.key");
    vault(Map.of()).find("NOTHING");
    assertThat(keyFile).as("reading creates no key").doesNotExist();

    MasterKey key = vault(Map.of()).set("A", VALUE);

    assertThat(key.created()).isTrue();
    assertThat(key.source()).isEqualTo("key file " + keyFile);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    assertThat(vault(Map.of()).set("B", VALUE).created()).isFalse();
  }

  @Test
  void aKeyFileOpenToOthersIsRefusedSayingHowToFixIt() throws Exception {
    vault(Map.of()).set("A", VALUE);
    Path keyFile = home.resolve("secret.key");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> vault(Map.of()).find("A"))
        .isInstanceOf(MasterKeyException.class)
        .hasMessageContaining(keyFile.toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void theEnvironmentKeyIsUsedWithoutCreatingAFile() {
    String key = MasterKey.generate();

    MasterKey used = vault(Map.of(MasterKey.ENV_KEY, key)).set("A", VALUE);

    assertThat(used.source()).isEqualTo("GANTRY_SECRET_KEY");
    assertThat(home.resolve("secret.key")).doesNotExist();
    assertThat(vault(Map.of(MasterKey.ENV_KEY, key)).find("A")).contains(VALUE);
  }

  @Test
  void aKeyFileNamedByTheEnvironmentIsUsed() throws Exception {
    Path keyFile = Files.writeString(home.resolve("mounted.key"), MasterKey.generate() + "\n");
    Map<String, String> env = Map.of(MasterKey.ENV_KEY_FILE, keyFile.toString());

    assertThat(vault(env).set("A", VALUE).source()).contains(keyFile.toString());
    assertThat(vault(env).find("A")).contains(VALUE);
  }

  @Test
  void theWrongKeyFailsNamingTheSecretAndTheKeySourceButNotTheValue() {
    vault(Map.of()).set("API_TOKEN", VALUE);
    Map<String, String> otherKey = Map.of(MasterKey.ENV_KEY, MasterKey.generate());

    assertThatThrownBy(() -> vault(otherKey).find("API_TOKEN"))
        .isInstanceOf(SecretUnreadableException.class)
        .hasMessageContaining(
            "secret 'API_TOKEN' cannot be decrypted with the key from GANTRY_SECRET_KEY")
        .hasMessageContaining("set with another key")
        .hasMessageNotContaining(VALUE);
  }

  @Test
  void withNoKeyAtAllAStoredSecretIsUnreadableAndTheMessageSaysWhy() throws Exception {
    vault(Map.of()).set("API_TOKEN", VALUE);
    Files.delete(home.resolve("secret.key"));

    assertThatThrownBy(() -> vault(Map.of()).find("API_TOKEN"))
        .isInstanceOf(SecretUnreadableException.class)
        .hasMessageContaining("secret 'API_TOKEN' cannot be decrypted: this process has no key")
        .hasMessageContaining("GANTRY_SECRET_KEY is not set");
  }

  @Test
  void aMalformedEnvironmentKeyIsRefusedSayingHowToMakeOne() {
    assertThatThrownBy(() -> vault(Map.of(MasterKey.ENV_KEY, "c2hvcnQ=")).set("A", VALUE))
        .isInstanceOf(MasterKeyException.class)
        .hasMessageContaining("GANTRY_SECRET_KEY is not 32 bytes")
        .hasMessageContaining("openssl rand -base64 32");
  }

  @Test
  void invalidNamesAndEmptyValuesAreRefused() {
    assertThatThrownBy(() -> vault(Map.of()).set("bad name", VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid secret name 'bad name'");
    assertThatThrownBy(() -> vault(Map.of()).set("EMPTY", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void theAgentsSourceResolvesSetSecretsAndNamesMissingAndUnreadableOnes() throws Exception {
    vault(Map.of()).set("A", "value-a");
    vault(Map.of()).set("B", "value-b");
    BackendSecretSource source = new BackendSecretSource(vault(Map.of()));

    assertThat(source.resolve(Set.of("A", "B")))
        .containsExactly(Map.entry("A", "value-a"), Map.entry("B", "value-b"));
    assertThatThrownBy(() -> source.resolve(Set.of("A", "MISSING")))
        .isInstanceOf(SecretSource.MissingSecretException.class)
        .hasMessageContaining("secret 'MISSING' is not set");
    BackendSecretSource otherKey =
        new BackendSecretSource(vault(Map.of(MasterKey.ENV_KEY, MasterKey.generate())));
    assertThatThrownBy(() -> otherKey.resolve(Set.of("A")))
        .isInstanceOf(SecretSource.UnreadableSecretException.class)
        .hasMessageContaining("secret 'A' cannot be decrypted with the key from GANTRY_SECRET_KEY");
  }

  private List<String> secretsTableAsText() throws Exception {
    List<String> cells = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(JdbcBackend.embeddedUrl(home), "sa", "");
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT * FROM secrets")) {
      while (rows.next()) {
        for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
          cells.add(rows.getString(i));
        }
      }
    }
    return cells;
  }
}
