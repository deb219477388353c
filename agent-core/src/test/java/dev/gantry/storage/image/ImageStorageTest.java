package dev.gantry.storage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image storage against a real registry (Debian's docker-registry on 127.0.0.1 with htpasswd): the
 * image is built by Jib on a base image of the local Docker engine and pushed with the credentials
 * of a secret; what the registry then holds is read back through its own HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageStorageTest {
  private static final String FACTORY = "dev.gantry.examples.Chatty#chatty";
  private static final String SECRET = "REGISTRY_LOGIN";
  private static final String BASE = "docker://gantry-base:bookworm-jre17";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private RegistryServer registry;
  private DatabaseGantryClient gantry;

  @BeforeAll
  void start() {
    registry = RegistryServer.start(dir);
    gantry = GantryClient.open(new GantryHome(dir.resolve("home")), null);
  }

  @AfterAll
  void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private OciImage storage(String repo) {
    return OciImage.at(registry.address() + "/" + repo + ":1").credentials(SECRET).onBase(BASE);
  }

  private RegisteredFlow register(OciImage storage) {
    return gantry.register(Registration.of(ExamplesJar.path(), FACTORY).withStorage(storage));
  }

  @Test
  void registrationPushesTheJarsAsALayerAndRecordsTheImageByDigest() throws Exception {
    gantry.setSecret(SECRET, RegistryServer.credentialsJson(RegistryServer.PASSWORD));

    RegisteredFlow flow = register(storage("flows/chatty"));

    assertThat(flow.format()).isEqualTo(BundleFormat.module);
    assertThat(flow.location()).isEqualTo("module:" + FACTORY);
    assertThat(flow.image()).matches(registry.address() + "/flows/chatty@sha256:[0-9a-f]{64}");
    assertThat(flow.labels()).extracting(FlowLabel::label).contains(OciImage.DEFAULT_LABEL);
    assertThat(flow.secrets()).contains(SECRET);

    String digest = flow.image().substring(flow.image().indexOf('@') + 1);
    HttpResponse<byte[]> manifest = get("/v2/flows/chatty/manifests/" + digest, true);
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(get("/v2/flows/chatty/manifests/" + digest, false).statusCode()).isEqualTo(401);

    JsonNode layers = JSON.readTree(manifest.body()).path("layers");
    String top = layers.get(layers.size() - 1).path("digest").asText();
    HttpResponse<byte[]> blob = get("/v2/flows/chatty/blobs/" + top, true);
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat(entries(blob.body()))
        .contains("opt/gantry/flow/0-" + ExamplesJar.path().getFileName());
    assertThat(entries(blob.body())).contains("usr/local/bin/gantry");
  }

  @Test
  void aWrongPasswordFailsRegistrationWithOneLineAndRegistersNothing() {
    gantry.setSecret(SECRET, RegistryServer.credentialsJson("not-the-password-91c2"));

    assertThatThrownBy(() -> register(storage("flows/refused")))
        .isInstanceOf(RegistrationException.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage())
                  .doesNotContain("\n")
                  .doesNotContain("not-the-password-91c2")
                  .contains(registry.address() + "/flows/refused:1")
                  .contains("refused the credentials")
                  .contains(SECRET);
            });
    assertThat(gantry.flows()).extracting(RegisteredFlow::name).doesNotContain("refused");
  }

  @Test
  void aSecretThatIsNotCredentialsJsonIsNamedWithoutItsValue() {
    gantry.setSecret(SECRET, "plain-token-55aa");

    assertThatThrownBy(() -> register(storage("flows/plain")))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("secret " + SECRET + " is not registry credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("plain-token-55aa"));
  }

  @Test
  void aRegistryNobodyAnswersAtFailsNamingTheImageAndWhatToCheck() throws IOException {
    gantry.setSecret(SECRET, RegistryServer.credentialsJson(RegistryServer.PASSWORD));
    int closed;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    OciImage storage =
        OciImage.at("127.0.0.1:" + closed + "/flows/nowhere:1").credentials(SECRET).onBase(BASE);

    assertThatThrownBy(() -> register(storage))
        .isInstanceOf(RegistrationException.class)
        .hasMessageStartingWith(
            "building and pushing image 127.0.0.1:" + closed + "/flows/nowhere:1 failed:")
        .hasMessageContaining("cannot reach the registry")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aSecretThatIsNotSetIsNamedWithHowToSetIt() {
    OciImage storage = storage("flows/unset").credentials("NO_SUCH_LOGIN");

    assertThatThrownBy(() -> register(storage))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("pushes with secret NO_SUCH_LOGIN, which is not set")
        .hasMessageContaining("gantry secret set NO_SUCH_LOGIN");
  }

  private HttpResponse<byte[]> get(String path, boolean login)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + registry.address() + path))
            .header(
                "Accept",
                "application/vnd.docker.distribution.manifest.v2+json,"
                    + " application/vnd.oci.image.manifest.v1+json");
    if (login) {
      String basic = RegistryServer.USER + ":" + RegistryServer.PASSWORD;
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static List<String> entries(byte[] layer) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(layer));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        names.add(e.getName().replaceFirst("^/", ""));
      }
    }
    return names;
  }
}
