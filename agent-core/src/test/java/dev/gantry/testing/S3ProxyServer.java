package dev.gantry.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy's standalone jar (surefire passes its path in {@code
 * gantry.test.s3proxyJar}) started as a process on 127.0.0.1 and a free port, with SigV4
 * authentication, random credentials and the filesystem backend in a directory of the test's. Stop
 * it with {@link #close()}, which ends only the process it started.
 */
public final class S3ProxyServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final String accessKey;
  private final String secretKey;
  private final Path log;

  private S3ProxyServer(Process process, int port, String accessKey, String secretKey, Path log) {
    this.process = process;
    this.port = port;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.log = log;
  }

  /** Starts a server keeping its objects under {@code dir} and waits until it accepts requests. */
  public static S3ProxyServer start(Path dir) {
    String jar = System.getProperty("gantry.test.s3proxyJar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the S3Proxy jar is missing (" + jar + "); build with mvn, which copies it");
    }
    try {
      Path data = Files.createDirectories(dir.resolve("s3-data"));
      int port = freePort();
      String accessKey = "AKIA" + random(8).toUpperCase();
      String secretKey = random(20);
      Path properties = dir.resolve("s3proxy.properties");
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + port,
              "s3proxy.authorization=aws-v4",
              "s3proxy.identity=" + accessKey,
              "s3proxy.credential=" + secretKey,
              "jclouds.provider=filesystem-nio2",
              "jclouds.filesystem.basedir=" + data,
              "jclouds.identity=local",
              "jclouds.credential=local",
              ""),
          StandardCharsets.UTF_8);
      Path log = dir.resolve("s3proxy.log");
      Process process =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-Xmx256m",
                      "-jar",
                      jar,
                      "--properties",
                      properties.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      S3ProxyServer server = new S3ProxyServer(process, port, accessKey, secretKey, log);
      server.awaitListening();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy: " + e, e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** The value of an AWS_CREDENTIALS secret for this server, in Prefect 0.x's form. */
  public String credentialsJson() {
    return "{\"ACCESS_KEY\": \"" + accessKey + "\", \"SECRET_ACCESS_KEY\": \"" + secretKey + "\"}";
  }

  /** A client for the test's own setup and checks. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(URI.create(endpoint()))
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  public void createBucket(String bucket) {
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  /** Stops the server process this object started, and only it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void awaitListening() throws IOException {
    try {
      await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(this::listening);
    } catch (ConditionTimeoutException e) {
      close();
      throw new IllegalStateException(
          "S3Proxy did not listen on port " + port + ": " + Files.readString(log), e);
    }
  }

  private boolean listening() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "S3Proxy exited with " + process.exitValue() + ": " + Files.readString(log));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** A port free now; S3Proxy binds it a moment later. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    new SecureRandom().nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}
