package dev.gantry.backend;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Named secrets as the backend keeps them: encrypted values only. Encryption and decryption happen
 * in the processes that set and use them ({@code dev.gantry.secrets}); the store never sees a
 * value.
 */
public interface SecretStore {

  /** Creates or replaces the named secret. */
  void put(StoredSecret secret);

  Optional<StoredSecret> find(String name);

  /** Names and update times of all secrets, ordered by name. */
  List<SecretSummary> list();

  /** Deletes the named secret; false when there was none. */
  boolean delete(String name);

  /**
   * An encrypted secret.
   *
   * @param nonce the AES-GCM nonce (12 bytes)
   * @param ciphertext the AES-GCM output, ciphertext and tag
   * @param updatedAt when it was set; ignored by {@link #put}, which records the current time
   */
  record StoredSecret(String name, byte[] nonce, byte[] ciphertext, Instant updatedAt) {
    public StoredSecret {
      Objects.requireNonNull(name, "name");
      nonce = nonce.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public String toString() {
      return "StoredSecret[" + name + ", updated " + updatedAt + "]";
    }
  }

  /** What {@code gantry secret list} shows: never a value. */
  record SecretSummary(String name, Instant updatedAt) {}
}
