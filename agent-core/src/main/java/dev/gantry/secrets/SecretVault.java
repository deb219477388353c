package dev.gantry.secrets;

import dev.gantry.backend.Backend;
import dev.gantry.backend.SecretStore;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.backend.SecretStore.StoredSecret;
import dev.gantry.flow.Secrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Named secrets, encrypted at rest in the backend with this process's {@link MasterKey}: values are
 * encrypted here before they are stored and decrypted here after they are read. The key is loaded
 * on first need, so a process that never touches a secret never creates a key file.
 */
public final class SecretVault {
  /** The largest value accepted; secrets travel as environment variables. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private final SecretStore store;
  private final Path home;
  private final Map<String, String> environment;

  public SecretVault(SecretStore store, Path home, Map<String, String> environment) {
    this.store = Objects.requireNonNull(store, "store");
    this.home = Objects.requireNonNull(home, "home");
    this.environment = Map.copyOf(environment);
  }

  /** The vault of a backend, with this process's environment and the given Gantry home. */
  public static SecretVault of(Backend backend, Path home) {
    return new SecretVault(backend.secrets(), home, System.getenv());
  }

  /**
   * Encrypts and stores a value under a name, replacing any value it had.
   *
   * @return the key used (its source, and whether it was just created)
   * @throws IllegalArgumentException when the name is invalid or the value empty or too long
   */
  public MasterKey set(String name, String value) {
    Secrets.checkName(name);
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("the value of secret '" + name + "' is empty");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "the value of secret '"
              + name
              + "' has "
              + bytes
              + " bytes; at most "
              + MAX_VALUE_BYTES
              + " fit in a run's environment");
    }
    MasterKey key = MasterKey.load(home, environment, true).orElseThrow();
    SecretCipher.Sealed sealed = SecretCipher.seal(key, name, value);
    store.put(new StoredSecret(name, sealed.nonce(), sealed.ciphertext(), null));
    return key;
  }

  /**
   * The decrypted value of a secret, or empty when no secret has the name.
   *
   * @throws SecretUnreadableException naming the secret and the key's source when it cannot be
   *     decrypted
   */
  public Optional<String> find(String name) {
    Optional<StoredSecret> stored = store.find(name);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    Optional<MasterKey> key = MasterKey.load(home, environment, false);
    if (key.isEmpty()) {
      throw new SecretUnreadableException(
          name,
          "secret '"
              + name
              + "' cannot be decrypted: this process has no key ("
              + MasterKey.ENV_KEY
              + " is not set and "
              + MasterKey.defaultFile(home)
              + " does not exist); give it the key the secret was set with");
    }
    StoredSecret secret = stored.get();
    return Optional.of(SecretCipher.open(key.get(), name, secret.nonce(), secret.ciphertext()));
  }

  /** Names and update times, never values. */
  public List<SecretSummary> list() {
    return store.list();
  }

  public boolean delete(String name) {
    return store.delete(name);
  }
}
