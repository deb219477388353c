package dev.gantry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.S3;
import dev.gantry.storage.BundleLocations;
import dev.gantry.storage.StorageException;
import dev.gantry.testing.S3Calls;
import dev.gantry.testing.S3ProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** S3 storage against a real S3 server: multipart uploads, credentials and each failure's words. */
class S3BundleStorageTest {
  private static final String BUCKET = "flows";
  private static final String SECRET = S3.DEFAULT_CREDENTIALS_SECRET;

  @TempDir static Path serverDir;
  @TempDir Path work;
  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() {
    server = S3ProxyServer.start(serverDir);
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static S3 storage() {
    return S3.bucket(BUCKET).endpoint(server.endpoint()).secrets(SECRET);
  }

  private static S3Credentials goodCredentials() {
    return S3Credentials.fromSecret(SECRET, server.credentialsJson());
  }

  @Test
  void aBundleLargerThanAPartIsUploadedInPartsAndFetchedWhole() throws Exception {
    long partSize = 5L * 1024 * 1024;
    Path bundle = randomFile("big.gantry", 12L * 1024 * 1024 + 123);
    String digest = Sha256.of(bundle);
    S3BundleStorage storage = new S3BundleStorage(storage(), goodCredentials(), partSize);
    S3Calls.clear();

    String location = storage.store("big", BundleFormat.serialized, digest, bundle);

    assertThat(S3Calls.operations())
        .containsExactly(
            "CreateMultipartUpload",
            "UploadPart",
            "UploadPart",
            "UploadPart",
            "CompleteMultipartUpload");

    try (S3Client s3 = server.client()) {
      HeadObjectResponse head =
          s3.headObject(h -> h.bucket(BUCKET).key("big/" + digest + ".gantry"));
      assertThat(head.contentLength()).isEqualTo(Files.size(bundle));
      assertThat(s3.listMultipartUploads(l -> l.bucket(BUCKET)).uploads()).isEmpty();
    }
    Path fetched = work.resolve("fetched");
    BundleLocations.fetch(
        "big", location, fetched, Map.of("GANTRY_SECRET_" + SECRET, server.credentialsJson()));
    assertThat(Sha256.of(fetched)).isEqualTo(digest);
  }

  @Test
  void aBundleUpToAPartIsOnePut() throws Exception {
    Path bundle = randomFile("small.gantry", 5L * 1024 * 1024);
    S3Calls.clear();

    new S3BundleStorage(storage(), goodCredentials(), 5L * 1024 * 1024)
        .store("small", BundleFormat.serialized, Sha256.of(bundle), bundle);

    assertThat(S3Calls.operations()).containsExactly("PutObject");
  }

  @Test
  void theLocationRecordsEndpointAndCredentialsSecretButNoValue() throws Exception {
    Path bundle = randomFile("small", 100);

    String location =
        new S3BundleStorage(storage().prefix("/team/"), goodCredentials())
            .store("etl", BundleFormat.source, Sha256.of(bundle), bundle);

    assertThat(S3Location.parse(location))
        .isEqualTo(
            new S3Location(BUCKET, "team/etl/source.gantry", null, server.endpoint(), SECRET));
    assertThat(location).doesNotContain(server.secretKey()).doesNotContain(server.accessKey());
  }

  @Test
  void wrongCredentialsFailTheUploadNamingObjectCauseAndSecretButNoValue() throws Exception {
    Path bundle = randomFile("b", 100);
    String wrongSecretKey = "wrong-secret-key-0123456789";
    S3Credentials wrong =
        S3Credentials.fromSecret(
            SECRET,
            "{\"ACCESS_KEY\": \""
                + server.accessKey()
                + "\", \"SECRET_ACCESS_KEY\": \""
                + wrongSecretKey
                + "\"}");

    assertThatThrownBy(
            () ->
                new S3BundleStorage(storage(), wrong)
                    .store("etl", BundleFormat.source, Sha256.of(bundle), bundle))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("S3 refused the credentials (SignatureDoesNotMatch)")
        .hasMessageContaining("s3://flows/etl/source.gantry")
        .hasMessageContaining("secret AWS_CREDENTIALS")
        .hasMessageNotContaining(wrongSecretKey)
        .hasMessageNotContaining(server.accessKey())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void anUnknownAccessKeyIsRefusedAsWrongCredentials() throws Exception {
    Path bundle = randomFile("b", 100);
    S3Credentials unknown =
        S3Credentials.fromSecret(
            SECRET,
            "{\"ACCESS_KEY\": \"AKIANOBODY0000\", \"SECRET_ACCESS_KEY\": \"nothing-at-all\"}");

    assertThatThrownBy(
            () ->
                new S3BundleStorage(storage(), unknown)
                    .store("etl", BundleFormat.source, Sha256.of(bundle), bundle))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("S3 refused the credentials (InvalidAccessKeyId)")
        .hasMessageNotContaining("AKIANOBODY0000");
  }

  @Test
  void anUploadToAMissingBucketSaysToCreateIt() throws Exception {
    Path bundle = randomFile("b", 100);
    S3 missing = S3.bucket("no-such-bucket").endpoint(server.endpoint()).secrets(SECRET);

    assertThatThrownBy(
            () ->
                new S3BundleStorage(missing, goodCredentials())
                    .store("etl", BundleFormat.source, Sha256.of(bundle), bundle))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("S3 bucket 'no-such-bucket' does not exist")
        .hasMessageContaining("s3://no-such-bucket/etl/source.gantry")
        .hasMessageContaining("create it");
  }

  @Test
  void anUnreachableEndpointIsNamedWithTheCause() throws Exception {
    Path bundle = randomFile("b", 100);
    String deadEndpoint = "http://127.0.0.1:" + S3ProxyServer.freePort();
    S3 dead = S3.bucket(BUCKET).endpoint(deadEndpoint).secrets(SECRET);

    assertThatThrownBy(
            () ->
                new S3BundleStorage(dead, goodCredentials())
                    .store("etl", BundleFormat.source, Sha256.of(bundle), bundle))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("cannot reach S3 for s3://flows/etl/source.gantry")
        .hasMessageContaining(deadEndpoint)
        .hasMessageContaining("Connection refused")
        .hasMessageContaining("--s3-endpoint");
  }

  @Test
  void aRunNotGivenTheStoragesSecretCannotFetchAndIsToldWhich() throws Exception {
    Path bundle = randomFile("b", 100);
    String location =
        new S3BundleStorage(storage(), goodCredentials())
            .store("etl", BundleFormat.source, Sha256.of(bundle), bundle);

    assertThatThrownBy(() -> BundleLocations.fetch("etl", location, work.resolve("t"), Map.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("secret AWS_CREDENTIALS")
        .hasMessageContaining("GANTRY_SECRET_AWS_CREDENTIALS is not set");
  }

  @Test
  void aCredentialsSecretThatIsNotTheExpectedJsonIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> S3Credentials.fromSecret(SECRET, "AKIA-and-some-password"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("secret AWS_CREDENTIALS is not a JSON object")
        .hasMessageNotContaining("AKIA-and-some-password");
    assertThatThrownBy(() -> S3Credentials.fromSecret(SECRET, "{\"ACCESS_KEY\": \"AKIA-only\"}"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("lacks ACCESS_KEY or SECRET_ACCESS_KEY")
        .hasMessageNotContaining("AKIA-only");
  }

  @Test
  void withoutASecretTheDefaultChainSigns() throws Exception {
    Path bundle = randomFile("b", 100);
    // System properties are a link of the SDK's default chain, like AWS_ACCESS_KEY_ID.
    System.setProperty("aws.accessKeyId", server.accessKey());
    System.setProperty("aws.secretAccessKey", server.secretKey());
    try {
      S3 plain = S3.bucket(BUCKET).endpoint(server.endpoint());
      String location =
          new S3BundleStorage(plain, S3Credentials.defaultChain())
              .store("chain", BundleFormat.source, Sha256.of(bundle), bundle);

      assertThat(S3Location.parse(location).credentialsSecret()).isNull();
      Path fetched = work.resolve("fetched");
      BundleLocations.fetch("chain", location, fetched, Map.of());
      assertThat(Sha256.of(fetched)).isEqualTo(Sha256.of(bundle));

      // Uploaded with the chain, but the storage names its secret: the runs sign with that.
      String named =
          new S3BundleStorage(storage(), S3Credentials.defaultChain())
              .store("chain-named", BundleFormat.source, Sha256.of(bundle), bundle);
      assertThat(S3Location.parse(named).credentialsSecret()).isEqualTo(SECRET);
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  private Path randomFile(String name, long size) throws IOException {
    Path file = work.resolve(name);
    Random random = new Random(name.hashCode());
    byte[] buffer = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= buffer.length) {
        random.nextBytes(buffer);
        out.write(buffer, 0, (int) Math.min(buffer.length, left));
      }
    }
    return file;
  }
}
