package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --tls-cert/--tls-key}: a certificate made by openssl for this test, RSA and EC, served
 * over real HTTPS; plain HTTP gets nothing; unusable files are one-line errors naming them.
 */
class HttpsTest {
  @TempDir Path dir;

  private Path openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
    return dir;
  }

  /** A self-signed certificate for 127.0.0.1 and localhost, and its PKCS#8 key. */
  private GantryServer.Tls certificate(String name, String keyType) throws Exception {
    List<String> newKey =
        keyType.equals("rsa")
            ? List.of("-newkey", "rsa:2048")
            : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    List<String> args = new ArrayList<>(List.of("req", "-x509"));
    args.addAll(newKey);
    args.addAll(
        List.of(
            "-nodes",
            "-keyout",
            name + ".key",
            "-out",
            name + ".crt",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost"));
    openssl(args.toArray(String[]::new));
    return new GantryServer.Tls(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
  }

  private static HttpClient trusting(Path certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ec"})
  void theApiIsServedOverHttpsOnlyWithAPemCertificateAndPkcs8Key(String keyType) throws Exception {
    GantryServer.Tls tls = certificate("server", keyType);
    assertThat(Files.readString(tls.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
    try (DatabaseGantryClient gantry =
            GantryClient.open(new GantryHome(dir.resolve("home")), null);
        GantryServer server =
            GantryServer.start(
                gantry,
                new GantryServer.Settings(
                        "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES)
                    .withTls(tls))) {
      String token =
          new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
              .create("ci", Role.VIEWER, null)
              .value();
      HttpClient https = trusting(tls.certificate());
      HttpResponse<String> whoami =
          https.send(
              HttpRequest.newBuilder(
                      URI.create("https://127.0.0.1:" + server.port() + "/api/v1/whoami"))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(whoami.statusCode()).isEqualTo(200);
      assertThat(whoami.body()).contains("\"tokenName\":\"ci\"");
      assertThat(whoami.sslSession()).isPresent();
      HttpResponse<String> live =
          https.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + server.port() + "/health/live"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);

      // Plain HTTP on the same port is not served: the TLS handshake fails it.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      boolean served;
      try {
        served =
            plain
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
      } catch (java.io.IOException refused) {
        served = false;
      }
      assertThat(served).as("plain HTTP answered").isFalse();
    }
  }

  @Test
  void unusableCertificatesAndKeysAreOneLineErrorsNamingTheFile() throws Exception {
    GantryServer.Tls rsa = certificate("rsa", "rsa");
    GantryServer.Tls other = certificate("other", "rsa");
    openssl("pkey", "-in", "rsa.key", "-traditional", "-out", "pkcs1.key");
    Files.writeString(dir.resolve("text.crt"), "not a certificate\n");
    List<GantryServer.Tls> bad =
        List.of(
            new GantryServer.Tls(rsa.certificate(), other.privateKey()),
            new GantryServer.Tls(rsa.certificate(), dir.resolve("pkcs1.key")),
            new GantryServer.Tls(rsa.certificate(), dir.resolve("missing.key")),
            new GantryServer.Tls(dir.resolve("text.crt"), rsa.privateKey()),
            new GantryServer.Tls(rsa.privateKey(), rsa.privateKey()));
    List<String> expected =
        List.of(
            "is not the private key of the certificate",
            "not PKCS#8",
            "does not exist",
            "is not a PEM certificate",
            "is not a PEM certificate");
    try (DatabaseGantryClient gantry =
        GantryClient.open(new GantryHome(dir.resolve("home")), null)) {
      for (int i = 0; i < bad.size(); i++) {
        GantryServer.Settings settings =
            new GantryServer.Settings("127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES)
                .withTls(bad.get(i));
        String privateKey = Files.readString(rsa.privateKey());
        String body = privateKey.lines().skip(1).findFirst().orElseThrow();
        assertThatThrownBy(() -> GantryServer.start(gantry, settings).close())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(expected.get(i))
            .hasMessageStartingWith("--tls-")
            .hasMessageNotContaining("\n")
            .hasMessageNotContaining(body);
      }
    }
  }
}
