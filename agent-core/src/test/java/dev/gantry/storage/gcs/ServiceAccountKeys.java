package dev.gantry.storage.gcs;

import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

/**
 * Service-account keys for tests, in the JSON form Google's console downloads, with a fresh RSA key
 * so Google's client parses them as it would a real one. The token URI points at a closed port on
 * 127.0.0.1: the in-process storage never asks for a token.
 */
public final class ServiceAccountKeys {
  private ServiceAccountKeys() {}

  /** A key of the service account {@code NAME@gantry-tests.iam.gserviceaccount.com}. */
  public static String keyJson(String name) {
    String pem;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      String body =
          Base64.getMimeEncoder(64, new byte[] {'\n'})
              .encodeToString(generator.generateKeyPair().getPrivate().getEncoded());
      // JSON escapes the PEM's line breaks.
      pem =
          ("-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n")
              .replace("\n", "\\n");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return "{\"type\": \"service_account\", \"project_id\": \"gantry-tests\","
        + " \"private_key_id\": \""
        + UUID.randomUUID()
        + "\", \"private_key\": \""
        + pem
        + "\", \"client_email\": \""
        + email(name)
        + "\", \"client_id\": \"1234567890\","
        + " \"token_uri\": \"http://127.0.0.1:9/token\"}";
  }

  public static String email(String name) {
    return name + "@gantry-tests.iam.gserviceaccount.com";
  }
}
