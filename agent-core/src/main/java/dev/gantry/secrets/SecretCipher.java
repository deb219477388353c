package dev.gantry.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for secret values: a fresh random 12-byte nonce per value, and the secret's name as
 * associated data, so a ciphertext decrypts only under the name it was set for.
 */
final class SecretCipher {
  static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final String AAD_PREFIX = "gantry-secret:v1:";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretCipher() {}

  /** A value sealed for one name. */
  record Sealed(byte[] nonce, byte[] ciphertext) {}

  static Sealed seal(MasterKey key, String name, String value) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(name));
      return new Sealed(nonce, cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot encrypt with " + TRANSFORMATION, e);
    }
  }

  /**
   * The value, or the exception naming the secret and the key's source when the tag does not match
   * (another key, another name, or an altered row).
   */
  static String open(MasterKey key, String name, byte[] nonce, byte[] ciphertext) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(name));
      return new String(cipher.doFinal(ciphertext), StandardCharsets.UTF_8);
    } catch (AEADBadTagException | IllegalArgumentException e) {
      throw new SecretUnreadableException(
          name,
          "secret '"
              + name
              + "' cannot be decrypted with the key from "
              + key.source()
              + ": it was set with another key, or its stored value was altered; use the key it"
              + " was set with ("
              + MasterKey.ENV_KEY
              + " or the key file), or set it again with `gantry secret set "
              + name
              + "`");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot decrypt with " + TRANSFORMATION, e);
    }
  }

  private static byte[] associatedData(String name) {
    return (AAD_PREFIX + name).getBytes(StandardCharsets.UTF_8);
  }
}
