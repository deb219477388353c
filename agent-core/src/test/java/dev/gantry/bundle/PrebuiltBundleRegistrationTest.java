package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.ETL_LOAD_10;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Module;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.FlowBundler;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.storage.BundleLocations;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle built by {@link FlowBundler} without registering registers later as it is: verified and
 * loaded as a run will, stored byte for byte, its digest the file's; a tampered file, a file that
 * is not a bundle and a bundle of a newer format are refused in one line, registering nothing.
 */
class PrebuiltBundleRegistrationTest {
  @TempDir Path home;
  @TempDir Path dir;

  private JdbcBackend backend;
  private FlowRegistrar registrar;

  @BeforeEach
  void openBackend() {
    backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
    registrar = new FlowRegistrar(backend.flows(), new GantryHome(home));
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @Test
  void aBundleWrittenWithoutRegisteringRegistersUnchangedAndRuns() throws Exception {
    Path file = dir.resolve("etl.gantry");
    FlowBundler.Bundle written =
        FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, false, file);
    assertThat(written.flowName()).isEqualTo("etl");
    assertThat(written.format()).isEqualTo(BundleFormat.serialized);
    assertThat(written.digest()).isEqualTo(Sha256.of(file));
    assertThat(backend.flows().latest("etl")).isEmpty(); // written, not registered

    RegisteredFlow flow =
        registrar.register(
            Registration.ofBundle(file)
                .withLabels(Set.of("team-a"))
                .withSchedule(FlowSchedule.every(Duration.ofHours(1))));

    assertThat(flow.name()).isEqualTo("etl");
    assertThat(flow.format()).isEqualTo(BundleFormat.serialized);
    assertThat(flow.factory()).isEqualTo(ETL_FACTORY);
    assertThat(flow.digest()).isEqualTo(written.digest());
    assertThat(flow.schedule()).isEqualTo(FlowSchedule.every(Duration.ofHours(1)));
    assertThat(flow.labels()).extracting(l -> l.label()).contains("team-a");
    Path stored = Path.of(URI.create(flow.location()));
    assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(file));
    assertThat(run(flow).results()).containsEntry("load", ETL_LOAD_10);
  }

  @Test
  void aSourceBundleKeepsItsFormatAndRegistersLikeJarsAsSource() throws Exception {
    Path file = dir.resolve("etl-source.gantry");
    FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, true, file);
    RegisteredFlow fromJars =
        registrar.register(
            Registration.of(examplesJar(), ETL_FACTORY).withFormat(BundleFormat.source));

    RegisteredFlow fromBundle = registrar.register(Registration.ofBundle(file));

    assertThat(fromBundle.format()).isEqualTo(BundleFormat.source);
    assertThat(fromBundle.labels()).isEqualTo(fromJars.labels());
    assertThat(fromBundle.parameters()).isEqualTo(fromJars.parameters());
    assertThat(fromBundle.digest()).isEqualTo(Sha256.of(file));
    assertThat(run(fromBundle).success()).isTrue();
  }

  @Test
  void aTamperedBundleIsRefusedNamingTheEntry() throws Exception {
    Path file = dir.resolve("t.gantry");
    FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, false, file);
    Map<String, byte[]> zip = BundleFixtures.readZip(file);
    String jar = BundleManifest.JAR_DIR + examplesJar().getFileName();
    byte[] changed = zip.get(jar).clone();
    changed[changed.length / 2] ^= 1;
    zip.put(jar, changed);
    BundleFixtures.writeZip(file, zip);

    assertRefused(file, "entry " + jar + " of bundle at t.gantry has SHA-256");
  }

  @Test
  void aFileThatIsNotABundleIsRefused() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.gantry"), "not a zip");
    assertRefused(text, "bundle at notes.gantry is not a Gantry bundle (not a zip file)");
    Path zip = BundleFixtures.writeZip(dir.resolve("plain.zip"), Map.of("a.txt", new byte[] {1}));
    assertRefused(zip, "bundle at plain.zip has no gantry/manifest.properties");
    assertRefused(dir.resolve("missing.gantry"), "does not exist or is not a file");
  }

  @Test
  void aBundleOfANewerFormatIsRefusedNamingBothVersions() throws Exception {
    Path file = dir.resolve("new.gantry");
    FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, false, file);
    Map<String, byte[]> zip = BundleFixtures.readZip(file);
    BundleFixtures.changeManifest(
        zip,
        m ->
            new BundleManifest(
                BundleManifest.CURRENT_FORMAT_VERSION + 1,
                m.flowName(),
                m.format(),
                m.factory(),
                m.javaVersion(),
                "9.0.0",
                m.entries()));
    BundleFixtures.writeZip(file, zip);

    assertRefused(
        file,
        "bundle at new.gantry has format version "
            + (BundleManifest.CURRENT_FORMAT_VERSION + 1)
            + " (built with Gantry 9.0.0");
  }

  @Test
  void aStorageThatTakesNoBundleIsRefused() throws Exception {
    Path file = dir.resolve("etl.gantry");
    FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, false, file);
    assertThatThrownBy(
            () ->
                registrar.register(
                    Registration.ofBundle(file).withStorage(Module.factory("a.B#c"))))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("does not take a prebuilt bundle");
    assertThat(backend.flows().latest("etl")).isEmpty();
  }

  @Test
  void aBundleStoresWhereTheStorageSays() throws Exception {
    Path file = dir.resolve("etl.gantry");
    FlowBundler.write(List.of(examplesJar()), ETL_FACTORY, false, file);
    Path shared = dir.resolve("shared");
    RegisteredFlow flow =
        registrar.register(
            Registration.ofBundle(file)
                .withStorage(Local.directory(shared.toString()).withoutDefaultLabels()));
    assertThat(Path.of(URI.create(flow.location())))
        .isEqualTo(shared.resolve("etl/" + flow.digest() + ".gantry"));
    assertThat(flow.labels()).isEmpty();
  }

  @Test
  void aBundleIsWrittenOnlyWhenTheFlowBuildsAndLoads() {
    Path file = dir.resolve("nope.gantry");
    assertThatThrownBy(
            () ->
                FlowBundler.write(
                    List.of(examplesJar()), "dev.gantry.examples.Nope#x", false, file))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("dev.gantry.examples.Nope");
    assertThat(file).doesNotExist();
  }

  @Test
  void aRegistrationHasJarsOrABundleNeverBoth() {
    assertThatThrownBy(
            () ->
                new Registration(
                    List.of(examplesJar()),
                    null,
                    null,
                    null,
                    Set.of(),
                    true,
                    dev.gantry.catalog.RunPolicy.DEFAULT,
                    null,
                    Map.of(),
                    dir.resolve("x.gantry")))
        .hasMessageContaining("--jar and --bundle exclude each other");
  }

  private void assertRefused(Path file, String message) {
    assertThatThrownBy(() -> registrar.register(Registration.ofBundle(file)))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(backend.flows().latest("etl")).isEmpty();
    assertThat(home.resolve("flows"))
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
  }

  /** Fetches and loads the registered bundle as the bootstrap would, then runs it. */
  private FlowRunResult run(RegisteredFlow flow) throws Exception {
    Path fetched = dir.resolve("fetched-" + flow.version() + ".gantry");
    BundleLocations.fetch(flow.name(), flow.location(), fetched);
    String digest = flow.format() == BundleFormat.serialized ? flow.digest() : null;
    try (LoadedFlow loaded =
        BundleLoader.load(
            fetched, flow.location(), flow.name(), digest, dir.resolve("work-" + flow.id()))) {
      FlowRunResult result =
          new FlowRunner(2, TaskStateListener.NONE).run(loaded.flow(), Map.of("rows", "10"));
      assertThat(result.success()).as(result.message()).isTrue();
      return result;
    }
  }
}
