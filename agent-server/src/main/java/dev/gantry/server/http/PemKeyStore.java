package dev.gantry.server.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store held in memory, built from a PEM certificate chain and a PEM PKCS#8 private key (RSA
 * or EC), as {@code --tls-cert} and {@code --tls-key} give them. Every mistake is one line naming
 * the file and what to do; the key's bytes are never in a message.
 */
public final class PemKeyStore {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final String TO_PKCS8 =
      "convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem`";

  /** The key store and the password it was sealed with (random, never leaves the process). */
  public record Loaded(KeyStore keyStore, String password) {
    @Override
    public String toString() {
      return "PemKeyStore.Loaded[redacted]";
    }
  }

  private PemKeyStore() {}

  /**
   * @throws IllegalArgumentException one line naming the file at fault
   */
  public static Loaded load(Path certificateFile, Path keyFile) {
    List<Certificate> chain = certificates(certificateFile);
    PrivateKey key = privateKey(keyFile);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "--tls-key "
              + keyFile
              + " is not the private key of the certificate in --tls-cert "
              + certificateFile);
    }
    try {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      String password = Base64.getEncoder().encodeToString(random);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("gantry", key, password.toCharArray(), chain.toArray(Certificate[]::new));
      return new Loaded(store, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot hold the TLS key in a key store: " + e, e);
    }
  }

  private static List<Certificate> certificates(Path file) {
    byte[] pem = read("--tls-cert", file);
    try {
      List<Certificate> chain =
          List.copyOf(
              CertificateFactory.getInstance("X.509")
                  .generateCertificates(new ByteArrayInputStream(pem)));
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(
            "--tls-cert " + file + " holds no certificate; give a PEM certificate file");
      }
      return chain;
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalArgumentException(
          "--tls-cert "
              + file
              + " is not a PEM certificate (-----BEGIN CERTIFICATE-----); give the server's"
              + " certificate, then its intermediates");
    }
  }

  private static PrivateKey privateKey(Path file) {
    String pem = new String(read("--tls-key", file), StandardCharsets.US_ASCII);
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "--tls-key "
              + file
              + " is encrypted; give it unencrypted (readable only by the server's"
              + " user): "
              + TO_PKCS8);
    }
    Matcher m = PKCS8.matcher(pem);
    if (!m.find()) {
      String kind =
          pem.contains("-----BEGIN RSA PRIVATE KEY-----")
                  || pem.contains("-----BEGIN EC PRIVATE KEY-----")
              ? " is a PKCS#1/SEC1 key, not PKCS#8; "
              : " holds no PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); ";
      throw new IllegalArgumentException("--tls-key " + file + kind + TO_PKCS8);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-key " + file + " has a damaged PEM body");
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisAlgorithm) {
        // try the next
      }
    }
    throw new IllegalArgumentException(
        "--tls-key " + file + " is neither an RSA nor an EC private key; give one of those");
  }

  /** Whether the key signs what the certificate's public key verifies. */
  private static boolean matches(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] read(String option, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + " " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          option + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
