package dev.gantry.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit AES key that encrypts secrets at rest, and where it came from. In order: {@value
 * #ENV_KEY} (base64), the file named by {@value #ENV_KEY_FILE}, or {@value #FILE_NAME} in the
 * Gantry home, which is created with owner-only permissions (rw-------) the first time a secret is
 * set. Every process that sets or reads secrets of one backend needs the same key.
 */
public final class MasterKey {
  public static final String ENV_KEY = "GANTRY_SECRET_KEY";
  public static final String ENV_KEY_FILE = "GANTRY_SECRET_KEY_FILE";
  public static final String FILE_NAME = "secret.key";

  static final int KEY_BYTES = 32;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final SecretKey key;
  private final String source;
  private final boolean created;

  private MasterKey(byte[] bytes, String source, boolean created) {
    this.key = new SecretKeySpec(bytes, "AES");
    this.source = source;
    this.created = created;
  }

  /**
   * The key of this process.
   *
   * @param home the Gantry home, where the default key file is
   * @param environment the process environment ({@value #ENV_KEY}, {@value #ENV_KEY_FILE})
   * @param createIfMissing whether to create the home's key file when no key is configured
   * @return the key, or empty when none is configured and {@code createIfMissing} is false
   * @throws MasterKeyException when a configured key is malformed, missing or too open
   */
  public static Optional<MasterKey> load(
      Path home, Map<String, String> environment, boolean createIfMissing) {
    String encoded = environment.get(ENV_KEY);
    if (encoded != null && !encoded.isBlank()) {
      return Optional.of(new MasterKey(decode(encoded, ENV_KEY), ENV_KEY, false));
    }
    String keyFile = environment.get(ENV_KEY_FILE);
    if (keyFile != null && !keyFile.isBlank()) {
      Path file = Path.of(keyFile.strip());
      String source = "key file " + file + " (" + ENV_KEY_FILE + ")";
      if (!Files.isRegularFile(file)) {
        throw new MasterKeyException(
            ENV_KEY_FILE + " names " + file + ", which does not exist or is not a file");
      }
      return Optional.of(new MasterKey(decode(read(file), source), source, false));
    }
    Path file = defaultFile(home);
    String source = "key file " + file;
    if (Files.exists(file)) {
      checkOwnerOnly(file);
      return Optional.of(new MasterKey(decode(read(file), source), source, false));
    }
    if (!createIfMissing) {
      return Optional.empty();
    }
    return Optional.of(create(file, source));
  }

  /** The key file in a Gantry home. */
  public static Path defaultFile(Path home) {
    return home.toAbsolutePath().normalize().resolve(FILE_NAME);
  }

  /** A new random key, base64, as {@value #ENV_KEY} takes it. */
  public static String generate() {
    byte[] bytes = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  SecretKey key() {
    return key;
  }

  /** Where the key came from, for messages: "GANTRY_SECRET_KEY" or "key file /path". */
  public String source() {
    return source;
  }

  /** Whether this process just created the key file. */
  public boolean created() {
    return created;
  }

  @Override
  public String toString() {
    return "MasterKey[" + source + "]";
  }

  /**
   * Writes a new key to a temporary owner-only file, then links it into place, so no other process
   * ever reads a half-written key, and of two processes creating it at once, one key wins.
   */
  private static MasterKey create(Path file, String source) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = ownerOnlyTempFile(file.getParent());
      try {
        Files.writeString(partial, generate() + "\n", StandardCharsets.US_ASCII);
        try {
          Files.createLink(file, partial);
        } catch (FileAlreadyExistsException raced) {
          return new MasterKey(decode(read(file), source), source, false);
        } catch (UnsupportedOperationException noHardLinks) {
          Files.move(partial, file);
        }
      } finally {
        Files.deleteIfExists(partial);
      }
      return new MasterKey(decode(read(file), source), source, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the secret key file " + file + ": " + e, e);
    }
  }

  private static Path ownerOnlyTempFile(Path dir) throws IOException {
    if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
      return Files.createTempFile(
          dir, ".secret-", ".key", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    Path file = Files.createTempFile(dir, ".secret-", ".key");
    file.toFile().setReadable(false, false);
    file.toFile().setWritable(false, false);
    file.toFile().setReadable(true, true);
    file.toFile().setWritable(true, true);
    return file;
  }

  private static void checkOwnerOnly(Path file) {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      Set<PosixFilePermission> permissions = view.readAttributes().permissions();
      if (!OWNER_ONLY.containsAll(permissions)) {
        throw new MasterKeyException(
            "the secret key file "
                + file
                + " is open to others ("
                + PosixFilePermissions.toString(permissions)
                + "); make it readable by its owner only: chmod 600 "
                + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the permissions of " + file + ": " + e, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new MasterKeyException("cannot read the secret key file " + file + ": " + e, e);
    }
  }

  private static byte[] decode(String encoded, String source) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded.strip());
    } catch (IllegalArgumentException e) {
      bytes = null;
    }
    if (bytes == null || bytes.length != KEY_BYTES) {
      throw new MasterKeyException(
          "the secret key in "
              + source
              + " is not "
              + KEY_BYTES
              + " bytes (256 bits) in base64; make one with `openssl rand -base64 32`");
    }
    return bytes;
  }
}
