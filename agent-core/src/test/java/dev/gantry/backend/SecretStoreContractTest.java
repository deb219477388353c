package dev.gantry.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.backend.SecretStore.StoredSecret;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What every {@link SecretStore} does, run by one subclass per database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SecretStoreContractTest {
  private Backend backend;

  protected abstract Backend openBackend();

  @BeforeAll
  void open() {
    backend = openBackend();
  }

  @AfterAll
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  @BeforeEach
  void empty() {
    backend.secrets().list().forEach(s -> backend.secrets().delete(s.name()));
  }

  @Test
  void aSecretIsStoredFoundAndReplacedKeepingBytesExact() {
    SecretStore secrets = backend.secrets();
    Instant before = Instant.now().minus(Duration.ofSeconds(1));
    secrets.put(new StoredSecret("A", bytes(12, 1), bytes(40, 7), null));

    StoredSecret first = secrets.find("A").orElseThrow();
    assertThat(first.nonce()).isEqualTo(bytes(12, 1));
    assertThat(first.ciphertext()).isEqualTo(bytes(40, 7));
    assertThat(first.updatedAt()).isAfter(before);

    secrets.put(new StoredSecret("A", bytes(12, 2), bytes(33, 9), null));
    StoredSecret second = secrets.find("A").orElseThrow();
    assertThat(second.nonce()).isEqualTo(bytes(12, 2));
    assertThat(second.ciphertext()).isEqualTo(bytes(33, 9));
    assertThat(secrets.list()).hasSize(1);
  }

  @Test
  void listGivesNamesAndTimesInNameOrderAndDeleteRemoves() {
    SecretStore secrets = backend.secrets();
    secrets.put(new StoredSecret("ZED", bytes(12, 1), bytes(20, 1), null));
    secrets.put(new StoredSecret("AWS_CREDENTIALS", bytes(12, 1), bytes(20, 1), null));

    assertThat(secrets.list())
        .extracting(SecretSummary::name)
        .containsExactly("AWS_CREDENTIALS", "ZED");
    assertThat(secrets.list()).allSatisfy(s -> assertThat(s.updatedAt()).isNotNull());

    assertThat(secrets.delete("ZED")).isTrue();
    assertThat(secrets.delete("ZED")).isFalse();
    assertThat(secrets.find("ZED")).isEmpty();
    assertThat(secrets.list()).extracting(SecretSummary::name).containsExactly("AWS_CREDENTIALS");
  }

  private static byte[] bytes(int length, int seed) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (seed * 31 + i * 7 - 128);
    }
    return out;
  }
}
