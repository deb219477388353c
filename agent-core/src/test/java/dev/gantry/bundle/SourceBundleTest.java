package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.ETL_LOAD_10;
import static dev.gantry.bundle.BundleFixtures.compileJar;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static dev.gantry.bundle.BundleFixtures.readZip;
import static dev.gantry.bundle.BundleFixtures.userLambda;
import static dev.gantry.bundle.BundleFixtures.writeZip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.flow.GantryVersion;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source bundles: jars plus a factory reference; the flow is built fresh at every load. */
class SourceBundleTest {
  private static final String RUNTIME =
      "Gantry " + GantryVersion.current() + " on Java " + System.getProperty("java.version");

  @TempDir Path dir;

  @Test
  void sourceBundleHoldsJarsAndFactoryButNoSerializedFlow() throws Exception {
    Path bundle = sourceBundle("etl", ETL_FACTORY);

    Map<String, byte[]> zip = readZip(bundle);
    assertThat(zip)
        .containsOnlyKeys(BundleManifest.ENTRY, BundleManifest.JAR_DIR + "gantry-examples.jar");
    BundleManifest manifest = BundleFixtures.manifestOf(zip);
    assertThat(manifest.format()).isEqualTo("source");
    assertThat(manifest.factory()).isEqualTo(ETL_FACTORY);
    assertThat(manifest.flowName()).isEqualTo("etl");
  }

  @Test
  void sourceBundleLoadsByCallingTheFactoryInTheBundlesClassLoader() throws Exception {
    Path bundle = sourceBundle("etl", ETL_FACTORY);

    try (LoadedFlow loaded = BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work"))) {
      assertThat(userLambda(loaded.flow().task("load")).getClass().getClassLoader())
          .isSameAs(loaded.classLoader());
      FlowRunResult result =
          new FlowRunner(2, TaskStateListener.NONE).run(loaded.flow(), Map.of("rows", "10"));
      assertThat(result.results()).containsEntry("load", ETL_LOAD_10);
    }
  }

  @Test
  void sourceBundleAlsoLoadsWhenItsRegisteredDigestIsChecked() throws Exception {
    Path bundle = sourceBundle("etl", ETL_FACTORY);

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, "loc", "etl", Sha256.of(bundle), dir.resolve("work"))) {
      assertThat(loaded.flow().tasks()).hasSize(4);
    }
  }

  @Test
  void factoryClassMissingFromTheJarsIsNamed() throws Exception {
    Path bundle = sourceBundle("etl", "dev.gantry.examples.Missing#etl");

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("factory class dev.gantry.examples.Missing not found")
        .hasMessageContaining("bundle built with " + RUNTIME)
        .hasMessageContaining("runtime " + RUNTIME)
        .hasCauseInstanceOf(FlowLoadException.class);
  }

  @Test
  void factoryMethodMissingFromTheClassIsNamed() throws Exception {
    Path bundle = sourceBundle("etl", "dev.gantry.examples.Etl#etlv2");

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("factory method dev.gantry.examples.Etl#etlv2 not found");
  }

  @Test
  void factoryMethodThatIsNotPublicIsRefused() throws Exception {
    // Etl.named(String) is package-private and takes a parameter.
    Path bundle = sourceBundle("etl", "dev.gantry.examples.Etl#named");

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("dev.gantry.examples.Etl#named");
  }

  @Test
  void factoryThatBuildsAnotherFlowIsRefusedNamingBothFlows() throws Exception {
    Path bundle = sourceBundle("reports", ETL_FACTORY);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "reports", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("factory " + ETL_FACTORY)
        .hasMessageContaining("built flow 'etl', not 'reports'");
  }

  @Test
  void factoryThatThrowsIsReportedWithItsCause() throws Exception {
    Path jar =
        compileJar(
            dir.resolve("src/boom.jar"),
            Map.of(
                "demo.Boom",
                """
                package demo;

                public final class Boom {
                  public static dev.gantry.flow.Flow flow() {
                    throw new IllegalStateException("no config file");
                  }
                }
                """));
    Path bundle = dir.resolve("boom.gantry");
    BundleWriter.writeSource("boom", FlowFactory.parse("demo.Boom#flow"), List.of(jar), bundle);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "boom", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("factory method demo.Boom#flow threw")
        .hasMessageContaining("no config file");
  }

  @Test
  void tamperedJarInASourceBundleIsRefusedEvenWithoutADigest() throws Exception {
    Path bundle = sourceBundle("etl", ETL_FACTORY);
    Map<String, byte[]> zip = readZip(bundle);
    byte[] jar = zip.get(BundleManifest.JAR_DIR + "gantry-examples.jar");
    jar[jar.length / 2] ^= 0x55;
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("entry jars/gantry-examples.jar of bundle at loc");
  }

  @Test
  void replacingTheStoredSourceBundleChangesTheNextLoadWithoutReRegistering() throws Exception {
    Path bundle = dir.resolve("store/hot/source.gantry");
    FlowFactory factory = FlowFactory.parse("demo.HotFlow#flow");
    Path v1 = compileJar(dir.resolve("v1/hot.jar"), DemoSources.hot("v1"));
    BundleWriter.writeSource("hot", factory, List.of(v1), bundle);

    assertThat(loadAndAnswer(bundle, dir.resolve("run1"))).isEqualTo("v1");

    Path v2 = compileJar(dir.resolve("v2/hot.jar"), DemoSources.hot("v2"));
    BundleWriter.writeSource("hot", factory, List.of(v2), bundle);

    assertThat(loadAndAnswer(bundle, dir.resolve("run2"))).isEqualTo("v2");
  }

  private String loadAndAnswer(Path bundle, Path work) throws Exception {
    try (LoadedFlow loaded = BundleLoader.load(bundle, "loc", "hot", null, work)) {
      FlowRunResult result = new FlowRunner(1, TaskStateListener.NONE).run(loaded.flow(), Map.of());
      assertThat(result.success()).as(result.message()).isTrue();
      return (String) result.results().get("answer");
    }
  }

  private Path sourceBundle(String flowName, String factory) throws Exception {
    Path bundle = dir.resolve(flowName + ".gantry");
    BundleWriter.writeSource(flowName, FlowFactory.parse(factory), List.of(examplesJar()), bundle);
    return bundle;
  }
}
