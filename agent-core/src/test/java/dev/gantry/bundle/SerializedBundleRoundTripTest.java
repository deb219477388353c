package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.ETL_LOAD_10;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static dev.gantry.bundle.BundleFixtures.readZip;
import static dev.gantry.bundle.BundleFixtures.userLambda;
import static dev.gantry.bundle.BundleFixtures.writeSerialized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.Flow;
import dev.gantry.flow.GantryVersion;
import dev.gantry.flow.TaskState;
import dev.gantry.flow.environment.LocalEnvironment;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import dev.gantry.flow.storage.S3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flow frozen into a serialized bundle comes back whole, runs, and lives in its own loader. */
class SerializedBundleRoundTripTest {
  @TempDir Path dir;

  @Test
  void etlFlowSurvivesTheRoundTripAndRunsToTheSameResult() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
    String digest = Sha256.of(bundle);

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, bundle.toUri().toString(), "etl", digest, dir.resolve("work"))) {
      Flow flow = loaded.flow();
      assertThat(flow.name()).isEqualTo("etl");
      assertThat(flow.tasks())
          .extracting(t -> t.name())
          .containsExactly("extract", "transform", "count", "load");
      assertThat(flow.parameters())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.name()).isEqualTo("rows");
                assertThat(p.defaultValue()).isEqualTo(100);
              });

      FlowRunResult result =
          new FlowRunner(2, TaskStateListener.NONE).run(flow, Map.of("rows", "10"));

      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(result.taskStates()).containsOnlyKeys("extract", "transform", "count", "load");
      assertThat(result.taskStates().values()).containsOnly(TaskState.SUCCESS);
      assertThat(result.results()).containsEntry("load", ETL_LOAD_10);
    }
  }

  @Test
  void loadedTaskCodeComesFromTheBundlesClassLoaderNotFromTheCallers() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, "test", "etl", Sha256.of(bundle), dir.resolve("work"))) {
      BundleClassLoader bundleLoader = loaded.classLoader();
      assertThat(bundleLoader.flowName()).isEqualTo("etl");

      // The user's lambda, captured inside the SDK's adapter, is defined by the bundle's loader
      // and was captured by the bundle's copy of Etl.
      Object load = userLambda(loaded.flow().task("load"));
      assertThat(load.getClass().getName()).startsWith("dev.gantry.examples.Etl$$Lambda");
      assertThat(load.getClass().getClassLoader()).isSameAs(bundleLoader);
      Class<?> etl = load.getClass().getNestHost();
      assertThat(etl.getName()).isEqualTo("dev.gantry.examples.Etl");
      assertThat(etl.getClassLoader()).isSameAs(bundleLoader);

      // Whatever the test's class path holds, the bundle's Etl is not the caller's.
      Class<?> callers = loadOrNull("dev.gantry.examples.Etl", getClass().getClassLoader());
      assertThat(callers).isNotSameAs(etl);

      // The SDK is shared, so the runtime can drive the flow.
      assertThat(loaded.flow().getClass()).isSameAs(Flow.class);
      assertThat(Class.forName("dev.gantry.flow.Flow", false, bundleLoader)).isSameAs(Flow.class);
      // Gantry's internals are not visible to user code.
      assertThat(loadOrNull(BundleLoader.class.getName(), bundleLoader)).isNull();
      assertThat(loadOrNull("com.fasterxml.jackson.databind.ObjectMapper", bundleLoader)).isNull();
    }
  }

  @Test
  void eachLoadGetsAFreshClassLoaderSoTwoLoadsShareNoUserClasses() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));
    String digest = Sha256.of(bundle);

    try (LoadedFlow first = BundleLoader.load(bundle, "a", "etl", digest, dir.resolve("w1"));
        LoadedFlow second = BundleLoader.load(bundle, "b", "etl", digest, dir.resolve("w2"))) {
      assertThat(first.classLoader()).isNotSameAs(second.classLoader());
      assertThat(userLambda(first.flow().task("extract")).getClass().getClassLoader())
          .isSameAs(first.classLoader());
      assertThat(userLambda(second.flow().task("extract")).getClass().getClassLoader())
          .isSameAs(second.classLoader());
    }
  }

  @Test
  void bundleHoldsManifestSerializedFlowAndJarsWithTheirDigests() throws Exception {
    Path jar = examplesJar();
    Path bundle = writeSerialized(ETL_FACTORY, List.of(jar), dir.resolve("etl.gantry"));

    Map<String, byte[]> zip = readZip(bundle);
    assertThat(zip)
        .containsOnlyKeys(
            BundleManifest.ENTRY,
            BundleManifest.FLOW_ENTRY,
            BundleManifest.JAR_DIR + jar.getFileName());
    BundleManifest manifest = BundleManifest.parse(zip.get(BundleManifest.ENTRY), "test");
    assertThat(manifest.formatVersion()).isEqualTo(BundleManifest.CURRENT_FORMAT_VERSION);
    assertThat(manifest.flowName()).isEqualTo("etl");
    assertThat(manifest.format()).isEqualTo("serialized");
    assertThat(manifest.factory()).isEqualTo(ETL_FACTORY);
    assertThat(manifest.javaVersion()).isEqualTo(System.getProperty("java.version"));
    assertThat(manifest.gantryVersion()).isEqualTo(GantryVersion.current());
    assertThat(manifest.entries())
        .containsOnly(
            Map.entry(BundleManifest.JAR_DIR + jar.getFileName(), Sha256.of(jar)),
            Map.entry(BundleManifest.FLOW_ENTRY, Sha256.of(zip.get(BundleManifest.FLOW_ENTRY))));
    assertThat(zip.get(BundleManifest.JAR_DIR + jar.getFileName()))
        .isEqualTo(Files.readAllBytes(jar));
  }

  @Test
  void loadingExtractsTheBundledJarsIntoTheWorkDirectory() throws Exception {
    Path jar = examplesJar();
    Path bundle = writeSerialized(ETL_FACTORY, List.of(jar), dir.resolve("etl.gantry"));
    Path work = dir.resolve("work");

    try (LoadedFlow loaded = BundleLoader.load(bundle, "test", "etl", Sha256.of(bundle), work)) {
      Path extracted = work.resolve("jars").resolve(jar.getFileName());
      assertThat(extracted).hasSameBinaryContentAs(jar);
      assertThat(loaded.classLoader().getURLs()).containsExactly(extracted.toUri().toURL());
      assertThat(loaded.manifest().flowName()).isEqualTo("etl");
    }
  }

  @Test
  void storageAndEnvironmentDescriptionsSurviveTheRoundTrip() throws Exception {
    Path bundle =
        writeSerialized(
            "dev.gantry.examples.S3Flows#etlOnS3",
            List.of(examplesJar()),
            dir.resolve("etl-s3.gantry"));

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, "test", "etl-s3", Sha256.of(bundle), dir.resolve("work"))) {
      Flow flow = loaded.flow();
      assertThat(flow.storage()).isEqualTo(S3.bucket("gantry-flows").secrets("AWS_CREDENTIALS"));
      assertThat(flow.environment()).isEqualTo(LocalEnvironment.withImage("gantry:latest"));
      FlowRunResult result =
          new FlowRunner(1, TaskStateListener.NONE).run(flow, Map.of("rows", "10"));
      assertThat(result.results()).containsEntry("load", ETL_LOAD_10);
    }
  }

  @Test
  void taskFailuresOfTheLoadedFlowAreReportedAsBeforeFreezing() throws Exception {
    Path bundle =
        writeSerialized(
            "dev.gantry.examples.Failing#failing",
            List.of(examplesJar()),
            dir.resolve("failing.gantry"));

    try (LoadedFlow loaded =
        BundleLoader.load(bundle, "test", "failing", Sha256.of(bundle), dir.resolve("work"))) {
      FlowRunResult result = new FlowRunner(2, TaskStateListener.NONE).run(loaded.flow(), Map.of());

      assertThat(result.success()).isFalse();
      assertThat(result.taskStates())
          .containsEntry("prepare", TaskState.SUCCESS)
          .containsEntry("explode", TaskState.FAILED)
          .containsEntry("audit", TaskState.SUCCESS);
      assertThat(result.message()).contains("explode").contains("the warehouse is on fire");
    }
  }

  @Test
  void digestComparisonIgnoresHexCase() throws Exception {
    Path bundle = writeSerialized(ETL_FACTORY, List.of(examplesJar()), dir.resolve("etl.gantry"));

    try (LoadedFlow loaded =
        BundleLoader.load(
            bundle, "test", "etl", Sha256.of(bundle).toUpperCase(), dir.resolve("work"))) {
      assertThat(loaded.flow().name()).isEqualTo("etl");
    }
  }

  @Test
  void writerRefusesTwoJarsWithTheSameFileName() throws Exception {
    Path jar = examplesJar();
    Path twin =
        Files.copy(jar, Files.createDirectories(dir.resolve("other")).resolve(jar.getFileName()));

    assertThatThrownBy(() -> writeSerialized(ETL_FACTORY, List.of(jar, twin), dir.resolve("b")))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("two jars are named gantry-examples.jar for flow 'etl'");
    assertThat(dir.resolve("b")).doesNotExist();
  }

  private static Class<?> loadOrNull(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }
}
