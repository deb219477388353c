package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.builtWith;
import static dev.gantry.bundle.BundleFixtures.changeManifest;
import static dev.gantry.bundle.BundleFixtures.compileJar;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static dev.gantry.bundle.BundleFixtures.jarSubset;
import static dev.gantry.bundle.BundleFixtures.readZip;
import static dev.gantry.bundle.BundleFixtures.reseal;
import static dev.gantry.bundle.BundleFixtures.writeSerialized;
import static dev.gantry.bundle.BundleFixtures.writeZip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.GantryVersion;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import java.io.InvalidClassException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefect's "dependencies" caveat as Gantry reports it: a class the flow needs that the bundle
 * lacks, or holds in another version, is named together with the Gantry and Java versions that
 * built the bundle and those of the runtime.
 */
class BundleClassMismatchTest {
  private static final String RUNTIME =
      "Gantry " + GantryVersion.current() + " on Java " + System.getProperty("java.version");

  @TempDir Path dir;

  @Test
  void classMissingFromTheBundledJarsIsNamedWithBuildAndRuntimeVersions() throws Exception {
    // demo.Modal (factory and task code) and demo.Mode (a parameter's type) travel in two jars;
    // the bundle is then re-made without the jar of demo.Mode.
    Path all = compileJar(dir.resolve("src/all.jar"), DemoSources.modal());
    Path flows = jarSubset(all, dir.resolve("jars/flows.jar"), "demo/Modal");
    Path modes = jarSubset(all, dir.resolve("jars/modes.jar"), "demo/Mode.class");
    Path bundle =
        writeSerialized("demo.Modal#flow", List.of(flows, modes), dir.resolve("m.gantry"));
    Map<String, byte[]> zip = readZip(bundle);
    assertThat(zip.remove(BundleManifest.JAR_DIR + "modes.jar")).isNotNull();
    reseal(zip); // a consistent bundle that simply lacks the jar
    changeManifest(zip, m -> builtWith(m, "0.0.9-old", "11.0.99"));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "modal", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("class demo.Mode of flow 'modal' not found")
        .hasMessageContaining("built with Gantry 0.0.9-old on Java 11.0.99")
        .hasMessageContaining("this runtime is " + RUNTIME)
        .hasMessageContaining("the jars given at registration must contain it")
        .hasCauseInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void classMissingFromTaskCodeIsNamedWithBuildAndRuntimeVersions() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
    Map<String, byte[]> zip = readZip(bundle);
    assertThat(zip.remove(BundleManifest.JAR_DIR + "gantry-examples.jar")).isNotNull();
    reseal(zip);
    changeManifest(zip, m -> builtWith(m, "0.0.9-old", "11.0.99"));
    writeZip(bundle, zip);

    assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("class dev.gantry.examples.Etl of flow 'etl' not found")
        .hasMessageContaining("built with Gantry 0.0.9-old on Java 11.0.99")
        .hasMessageContaining("this runtime is " + RUNTIME);
  }

  @Test
  void classMissingFromTheBundleIsNotTakenFromTheCallersClassPathOrContextLoader()
      throws Exception {
    // The etl bundle without its jar, loaded while the caller's context loader has the examples:
    // loading must fail rather than mix in the caller's copy of Etl.
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
    Map<String, byte[]> zip = readZip(bundle);
    zip.remove(BundleManifest.JAR_DIR + "gantry-examples.jar");
    reseal(zip);
    writeZip(bundle, zip);

    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader withExamples =
        new URLClassLoader(new URL[] {examplesJar().toUri().toURL()}, previous)) {
      Thread.currentThread().setContextClassLoader(withExamples);
      // Only that it fails: what it fails with is the bug the disabled test above describes.
      assertThatThrownBy(() -> BundleLoader.load(bundle, "loc", "etl", null, dir.resolve("work")))
          .isInstanceOf(RuntimeException.class);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  @Test
  void classWhoseSerialVersionDiffersIsNamedWithBothVersions() throws Exception {
    Path built = compileJar(dir.resolve("v1/pay.jar"), DemoSources.pay(1));
    Path bundled = compileJar(dir.resolve("v2/pay.jar"), DemoSources.pay(2));
    Path bundle =
        writeSerialized(
            "demo.Pay#flow", List.of(built), List.of(bundled), dir.resolve("pay.gantry"));

    assertThatThrownBy(
            () -> BundleLoader.load(bundle, "loc", "pay", Sha256.of(bundle), dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("class demo.Money of flow 'pay' is not the version")
        .hasMessageContaining("serialVersionUID = 1")
        .hasMessageContaining("serialVersionUID = 2")
        .hasMessageContaining("the bundle was built with Gantry " + GantryVersion.current())
        .hasMessageContaining("this runtime is " + RUNTIME)
        .hasMessageContaining("register the flow again")
        .hasCauseInstanceOf(InvalidClassException.class);
  }

  @Test
  void classOfTheSameVersionInTheBundledJarLoadsAndRuns() throws Exception {
    // The control for the test above: the same flow with jars of one version loads.
    Path jar = compileJar(dir.resolve("v1/pay.jar"), DemoSources.pay(1));
    Path bundle = writeSerialized("demo.Pay#flow", List.of(jar), dir.resolve("pay.gantry"));

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, "loc", "pay", Sha256.of(bundle), dir.resolve("work"))) {
      assertThat(
              new FlowRunner(1, TaskStateListener.NONE)
                  .run(loaded.flow(), Map.of())
                  .results()
                  .get("charge"))
          .isEqualTo("charged 5 cents");
    }
  }

  @Test
  void lambdaWhoseCodeChangedBetweenVersionsIsNamedWithBothVersions() throws Exception {
    Path built = compileJar(dir.resolve("v1/drift.jar"), DemoSources.drift(1));
    Path bundled = compileJar(dir.resolve("v2/drift.jar"), DemoSources.drift(2));
    Path bundle =
        writeSerialized(
            "demo.Drift#flow", List.of(built), List.of(bundled), dir.resolve("d.gantry"));

    assertThatThrownBy(
            () -> BundleLoader.load(bundle, "loc", "drift", Sha256.of(bundle), dir.resolve("work")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("demo.Drift")
        .hasMessageContaining("this runtime is " + RUNTIME);
  }
}
