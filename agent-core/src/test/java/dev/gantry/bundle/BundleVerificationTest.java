package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.changeManifest;
import static dev.gantry.bundle.BundleFixtures.compileJar;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static dev.gantry.bundle.BundleFixtures.holdsNoFile;
import static dev.gantry.bundle.BundleFixtures.readZip;
import static dev.gantry.bundle.BundleFixtures.reseal;
import static dev.gantry.bundle.BundleFixtures.writeSerialized;
import static dev.gantry.bundle.BundleFixtures.writeZip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loader's checks, in their order: whole-file digest, zip and manifest, every entry against the
 * manifest, safe jar names; only then deserialization.
 */
class BundleVerificationTest {
  private static final String JAR_ENTRY = BundleManifest.JAR_DIR + "gantry-examples.jar";

  @TempDir Path dir;
  private Path work;

  @BeforeEach
  void setUp() {
    work = dir.resolve("work");
    System.clearProperty(DemoSources.TRIPWIRE_PROPERTY);
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(DemoSources.TRIPWIRE_PROPERTY);
  }

  // ---- whole-file digest --------------------------------------------------------------------

  @Test
  void replacedBundleIsRefusedByDigestBeforeAnythingIsExtractedOrDeserialized() throws Exception {
    Path jar = compileJar(dir.resolve("src/tripwire.jar"), DemoSources.tripwire());
    Path registered = writeSerialized("demo.Tripped#flow", List.of(jar), dir.resolve("b.gantry"));
    String registeredDigest = Sha256.of(registered);
    // Someone re-packs the stored bundle: every entry still matches the manifest, the file differs.
    Map<String, byte[]> entries = readZip(registered);
    List<String> names = new ArrayList<>(entries.keySet());
    Collections.reverse(names);
    Map<String, byte[]> reordered = new LinkedHashMap<>();
    names.forEach(n -> reordered.put(n, entries.get(n)));
    writeZip(registered, reordered);
    String actualDigest = Sha256.of(registered);
    assertThat(actualDigest).isNotEqualTo(registeredDigest);

    assertThatThrownBy(
            () ->
                BundleLoader.load(
                    registered, "file:///store/tripped", "tripped", registeredDigest, work))
        .isInstanceOf(BundleDigestMismatch.class)
        .hasMessageContaining("'tripped'")
        .hasMessageContaining("file:///store/tripped")
        .hasMessageContaining(registeredDigest)
        .hasMessageContaining(actualDigest)
        .hasMessageContaining("register the flow again");
    assertThat(System.getProperty(DemoSources.TRIPWIRE_PROPERTY)).isNull();
    assertThat(holdsNoFile(work)).as("nothing extracted").isTrue();

    // The marker works: with its own digest the same file loads and trips it.
    try (LoadedFlow loaded =
        BundleLoader.load(registered, "test", "tripped", actualDigest, dir.resolve("w2"))) {
      assertThat(loaded.flow().name()).isEqualTo("tripped");
    }
    assertThat(System.getProperty(DemoSources.TRIPWIRE_PROPERTY)).isEqualTo("deserialized");
  }

  @Test
  void digestMismatchNamesExpectedAndActualInTheirRoles() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
    String actual = Sha256.of(bundle);
    String expected = "0".repeat(64);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", expected, work))
        .isInstanceOf(BundleDigestMismatch.class)
        .hasMessageContaining("has SHA-256 " + actual + " but " + expected + " was registered");
  }

  // ---- entries ------------------------------------------------------------------------------

  @Test
  void jarReplacedUnderAnOldManifestIsRefusedNamingTheEntryWhenDigestCheckIsOff() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    String listed = BundleFixtures.manifestOf(zip).entries().get(JAR_ENTRY);
    byte[] other =
        Files.readAllBytes(compileJar(dir.resolve("src/hot.jar"), DemoSources.hot("evil")));
    zip.put(JAR_ENTRY, other);
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .isNotInstanceOf(BundleDigestMismatch.class)
        .hasMessageContaining("entry " + JAR_ENTRY)
        .hasMessageContaining("has SHA-256 " + Sha256.of(other))
        .hasMessageContaining("its manifest says " + listed)
        .hasMessageContaining("tampered");
    assertThat(holdsNoFile(work)).isTrue();
  }

  @Test
  void serializedFlowChangedUnderAnOldManifestIsRefusedNamingTheEntry() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    byte[] flow = zip.get(BundleManifest.FLOW_ENTRY);
    flow[flow.length - 1] ^= 1;
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("entry " + BundleManifest.FLOW_ENTRY + " of bundle at loc")
        .hasMessageContaining(Sha256.of(flow));
  }

  @Test
  void entryTheManifestDoesNotListIsRefused() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    zip.put("jars/extra.jar", "not listed".getBytes(StandardCharsets.UTF_8));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("has entry jars/extra.jar that its manifest does not list");
  }

  @Test
  void listedEntryThatIsMissingIsRefused() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    zip.remove(JAR_ENTRY);
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("lacks entry " + JAR_ENTRY + " that its manifest lists");
  }

  @Test
  void entryPresentTwiceIsRefused() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    byte[] jar = zip.get(JAR_ENTRY);
    // Two entries with the same name and valid content: zip writers refuse that, so write
    // "jars/gantry-examples.jaX" and patch its name in the file.
    String twin = JAR_ENTRY.substring(0, JAR_ENTRY.length() - 1) + "X";
    zip.put(twin, jar);
    writeZip(bundle, zip);
    byte[] file = Files.readAllBytes(bundle);
    int patched =
        replaceAll(
            file,
            twin.getBytes(StandardCharsets.UTF_8),
            JAR_ENTRY.getBytes(StandardCharsets.UTF_8));
    assertThat(patched).as("local and central headers").isEqualTo(2);
    Files.write(bundle, file);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("has entry " + JAR_ENTRY + " twice");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"jars/../evil.jar", "jars/..\\evil.jar", "jars/.hidden.jar", "jars/sub/x.jar"})
  void jarEntryWithAnUnsafeNameIsRefusedAndNothingIsWrittenOutsideTheWorkDirectory(String name)
      throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    zip.put(name, zip.get(JAR_ENTRY));
    reseal(zip); // the manifest lists it with its true digest: only the name is wrong
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("unsafe jar name " + name);
    assertThat(work.resolve("evil.jar")).doesNotExist();
    assertThat(dir.resolve("evil.jar")).doesNotExist();
    assertThat(work.resolve("jars/sub")).doesNotExist();
  }

  // ---- not a bundle -------------------------------------------------------------------------

  @Test
  void fileThatIsNotAZipIsRefusedWithAClearMessage() throws Exception {
    Path file = Files.writeString(dir.resolve("flow.gantry"), "#!/bin/sh\necho not a bundle\n");

    assertThatThrownBy(() -> BundleLoader.load(file, "file:///x/flow.gantry", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(
            "bundle at file:///x/flow.gantry is not a Gantry bundle (not a zip file)");
  }

  @Test
  void emptyFileIsRefusedAsNotAZip() throws Exception {
    Path file = Files.createFile(dir.resolve("empty.gantry"));

    assertThatThrownBy(() -> BundleLoader.load(file, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("not a zip file");
  }

  @Test
  void zipWithoutManifestIsRefusedAsNotABundle() throws Exception {
    assertThatThrownBy(() -> BundleLoader.load(examplesJar(), "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("bundle at loc has no " + BundleManifest.ENTRY);
  }

  // ---- manifest -----------------------------------------------------------------------------

  @Test
  void bundleOfANewerFormatVersionAsksForANewerImage() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    changeManifest(
        zip,
        m ->
            new BundleManifest(
                BundleManifest.CURRENT_FORMAT_VERSION + 1,
                m.flowName(),
                m.format(),
                m.factory(),
                "99.0.1",
                "9.9.9",
                m.entries()));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("format version " + (BundleManifest.CURRENT_FORMAT_VERSION + 1))
        .hasMessageContaining("Gantry 9.9.9 on Java 99.0.1")
        .hasMessageContaining("reads up to " + BundleManifest.CURRENT_FORMAT_VERSION)
        .hasMessageContaining("newer Gantry image");
  }

  @Test
  void bundleOfAnUnknownFormatIsRefused() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    changeManifest(
        zip,
        m ->
            new BundleManifest(
                m.formatVersion(),
                m.flowName(),
                "pickle",
                m.factory(),
                m.javaVersion(),
                m.gantryVersion(),
                m.entries()));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown format 'pickle'");
  }

  @Test
  void bundleOfAnotherFlowIsRefusedNamingBoth() throws Exception {
    Path bundle = etlBundle();

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "greeting", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("holds flow 'etl', not 'greeting'");
  }

  @Test
  void manifestWithoutARequiredKeyIsRefusedNamingTheKey() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    zip.put(BundleManifest.ENTRY, manifestWithout(zip.get(BundleManifest.ENTRY), "factory"));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("has no 'factory' in its manifest");
  }

  @Test
  void manifestWithAMalformedFormatVersionIsRefused() throws Exception {
    Path bundle = etlBundle();
    Map<String, byte[]> zip = readZip(bundle);
    Properties p = properties(zip.get(BundleManifest.ENTRY));
    p.setProperty("format-version", "one");
    zip.put(BundleManifest.ENTRY, bytes(p));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, work))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("malformed format-version");
  }

  @Test
  void manifestRoundTripsThroughItsPropertiesForm() {
    BundleManifest manifest =
        new BundleManifest(
            1,
            "etl",
            "source",
            ETL_FACTORY,
            "17.0.1",
            "0.1.0",
            Map.of("jars/a.jar", "ab", "gantry/flow.ser", "cd"));

    BundleManifest parsed = BundleManifest.parse(manifest.toBytes(), "loc");

    assertThat(parsed).isEqualTo(manifest);
    assertThat(parsed.builtWith()).isEqualTo("Gantry 0.1.0 on Java 17.0.1");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Path etlBundle() throws Exception {
    return writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
  }

  private static Properties properties(byte[] manifest) throws Exception {
    Properties p = new Properties();
    p.load(new java.io.ByteArrayInputStream(manifest));
    return p;
  }

  private static byte[] manifestWithout(byte[] manifest, String key) throws Exception {
    Properties p = properties(manifest);
    assertThat(p.remove(key)).isNotNull();
    return bytes(p);
  }

  private static byte[] bytes(Properties p) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.store(out, null);
    return out.toByteArray();
  }

  private static int replaceAll(byte[] data, byte[] from, byte[] to) {
    int count = 0;
    outer:
    for (int i = 0; i <= data.length - from.length; i++) {
      for (int j = 0; j < from.length; j++) {
        if (data[i + j] != from[j]) {
          continue outer;
        }
      }
      System.arraycopy(to, 0, data, i, to.length);
      count++;
    }
    return count;
  }
}
