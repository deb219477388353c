package dev.gantry.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What registration lends a storage it opens: the directory local storage defaults to, and the
 * local secrets a storage may sign its uploads with.
 *
 * @param defaultDirectory the flows directory under the Gantry home
 * @param secrets the local secrets; {@link SecretLookup#NONE} when there are none
 */
public record StorageContext(Path defaultDirectory, SecretLookup secrets) {

  public StorageContext {
    Objects.requireNonNull(defaultDirectory, "defaultDirectory");
    Objects.requireNonNull(secrets, "secrets");
  }

  /** Finds a local secret's value by name. */
  @FunctionalInterface
  public interface SecretLookup {
    /** No local secrets: storages sign with their default credentials. */
    SecretLookup NONE = name -> Optional.empty();

    /**
     * The secret's value, or empty when it is not stored.
     *
     * @throws StorageException with the secret store's message when the secret is stored but cannot
     *     be read
     */
    Optional<String> find(String name);
  }
}
