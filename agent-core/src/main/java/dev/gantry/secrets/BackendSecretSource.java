package dev.gantry.secrets;

import dev.gantry.backend.Backend;
import dev.gantry.supervision.SecretSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The agent's secrets: those set with {@code gantry secret set}, decrypted at launch. */
public final class BackendSecretSource implements SecretSource {
  private final SecretVault vault;

  public BackendSecretSource(SecretVault vault) {
    this.vault = vault;
  }

  /** The secrets of a backend, with this process's key (see {@link MasterKey}). */
  public static BackendSecretSource of(Backend backend, Path home) {
    return new BackendSecretSource(SecretVault.of(backend, home));
  }

  @Override
  public Map<String, String> resolve(Set<String> names) throws MissingSecretException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : new TreeSet<>(names)) {
      try {
        values.put(name, vault.find(name).orElseThrow(() -> new MissingSecretException(name)));
      } catch (SecretUnreadableException | MasterKeyException e) {
        throw new UnreadableSecretException(name, e.getMessage());
      }
    }
    return values;
  }
}
