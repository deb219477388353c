package dev.gantry.storage.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.bundle.Sha256;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.flow.storage.Http;
import dev.gantry.storage.BundleLocations;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.BundleStorageContractTest;
import dev.gantry.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storage contract on a real HTTP server on 127.0.0.1 that requires a header secret. */
class HttpBundleStorageContractTest extends BundleStorageContractTest {
  private static final String SECRET = "FLOW_STORE_TOKEN";
  private BundleHttpServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = BundleHttpServer.start(work.resolve("served"));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private Http description() {
    return Http.url(server.url()).header("Authorization", Http.SECRET_PREFIX + SECRET);
  }

  @Override
  protected BundleStorage storage() {
    return new HttpBundleStorage(
        description(),
        name -> Optional.ofNullable(SECRET.equals(name) ? BundleHttpServer.TOKEN : null));
  }

  @Override
  protected Map<String, String> runEnvironment() {
    return Map.of("GANTRY_SECRET_" + SECRET, BundleHttpServer.TOKEN);
  }

  @Override
  protected void deleteStored(String location) throws IOException {
    Files.delete(server.file(location));
  }

  @Override
  protected String named(String location) {
    return HttpLocation.parse(location).url();
  }

  @Test
  void theLocationNamesTheSecretNotItsValueAndThePutCarriesTheChecksum() throws Exception {
    Path bundle = randomFile("b", 2048);
    String digest = Sha256.of(bundle);

    String location = storage().store("etl", BundleFormat.serialized, digest, bundle);

    assertThat(location)
        .isEqualTo(server.url() + "/etl/" + digest + ".gantry#h.Authorization=secret%3A" + SECRET)
        .doesNotContain(BundleHttpServer.TOKEN);
    assertThat(server.checksums()).containsExactly(digest);
  }

  @Test
  void aTemplateNamesWhereTheBundleGoes() throws Exception {
    Path bundle = randomFile("t", 100);
    String digest = Sha256.of(bundle);
    Http templated =
        Http.url(server.url() + "/team/{flow}/{digest}.bin")
            .header("Authorization", Http.SECRET_PREFIX + SECRET);

    String location =
        new HttpBundleStorage(templated, name -> Optional.of(BundleHttpServer.TOKEN))
            .store("etl", BundleFormat.serialized, digest, bundle);

    assertThat(HttpLocation.parse(location).url())
        .isEqualTo(server.url() + "/team/etl/" + digest + ".bin");
    assertThat(Sha256.of(server.file(location))).isEqualTo(digest);
  }

  @Test
  void aWrongTokenFailsInOneLineNamingTheUrlAndNotTheValue() throws Exception {
    Path bundle = randomFile("w", 100);
    String location = storage().store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);

    assertThatThrownBy(
            () ->
                BundleLocations.fetch(
                    "etl",
                    location,
                    work.resolve("x"),
                    Map.of("GANTRY_SECRET_" + SECRET, "Bearer wrong-value")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(HttpLocation.parse(location).url())
        .hasMessageContaining("refused the credentials (HTTP 401)")
        .hasMessageNotContaining("wrong-value")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(
            () ->
                new HttpBundleStorage(description(), name -> Optional.of("Bearer nope"))
                    .store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle))
        .hasMessageContaining("the upload of " + server.url() + "/etl/")
        .hasMessageContaining("HTTP 401");
  }

  @Test
  void aRunWithoutTheHeaderSecretIsToldToRegisterAgain() throws Exception {
    Path bundle = randomFile("n", 100);
    String location = storage().store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);

    assertThatThrownBy(() -> BundleLocations.fetch("etl", location, work.resolve("y"), Map.of()))
        .hasMessageContaining("GANTRY_SECRET_" + SECRET + " is not set")
        .hasMessageContaining("register the flow again");
  }

  @Test
  void anUnreachableServerFailsNamingTheUrl() throws Exception {
    Path bundle = randomFile("u", 100);
    String location = storage().store("etl", BundleFormat.serialized, Sha256.of(bundle), bundle);
    server.close();

    assertThatThrownBy(
            () -> BundleLocations.fetch("etl", location, work.resolve("z"), runEnvironment()))
        .hasMessageContaining("cannot reach " + HttpLocation.parse(location).url())
        .hasMessageContaining("check the URL and that the server is up");
  }
}
