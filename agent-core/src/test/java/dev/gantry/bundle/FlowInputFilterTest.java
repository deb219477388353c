package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.compileJar;
import static dev.gantry.bundle.BundleFixtures.handMadeBundle;
import static dev.gantry.bundle.BundleFixtures.javaSerialize;
import static dev.gantry.bundle.BundleFixtures.writeSerialized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import java.io.InvalidClassException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a serialized flow may contain: JDK value classes, the SDK and the bundle's own classes,
 * within depth, reference and array limits; everything else is refused by name before it is
 * instantiated.
 */
class FlowInputFilterTest {
  @TempDir static Path jars;
  static Path guardedJar;

  @TempDir Path dir;

  @BeforeAll
  static void compileFlows() throws Exception {
    guardedJar = compileJar(jars.resolve("guarded.jar"), DemoSources.guarded());
  }

  @Test
  void flowCapturingAJdkClassOutsideTheAdmittedPackagesIsRefusedNamingIt() throws Exception {
    Path bundle = guardedBundle("counter");

    assertThatThrownBy(() -> load(bundle, "counter"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("flow 'counter'")
        .hasMessageContaining("bundle at loc")
        .hasMessageContaining("contains java.util.concurrent.atomic.AtomicLong")
        .hasMessageContaining("which a flow may not contain")
        .hasRootCauseInstanceOf(InvalidClassException.class);
  }

  @Test
  void flowCapturingANonSdkClassFromGantrysOwnClassPathIsRefusedNamingIt() throws Exception {
    // slf4j is shared with bundles for logging, but its classes are not flow values.
    Path bundle = guardedBundle("marker");

    assertThatThrownBy(() -> load(bundle, "marker"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("flow 'marker'")
        .hasMessageContaining("contains org.slf4j.");
  }

  @Test
  void deniedJdkClassInAnAdmittedPackageIsRefusedEvenAsAClassValue() throws Exception {
    Path bundle = guardedBundle("threads");

    assertThatThrownBy(() -> load(bundle, "threads"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("contains java.lang.Thread,");
  }

  @Test
  void admittedValuesDeserializeAndTheFlowRuns() throws Exception {
    Path bundle = guardedBundle("values");

    try (LoadedFlow loaded = load(bundle, "values")) {
      FlowRunResult result =
          new FlowRunner(1, TaskStateListener.NONE).run(loaded.flow(), Map.of("mode", "FAST"));
      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(result.results()).containsEntry("describe", "FAST 2024-02-29 [a, b] 1.50 3 PT3S");
      assertThat(loaded.flow().task("describe").maxRetries()).isEqualTo(1);
    }
  }

  @Test
  void gantryInternalClassInTheStreamCannotBeResolvedAndIsReportedByName() throws Exception {
    // Gantry's own classes are invisible to the bundle's loader: a stream naming one fails to
    // resolve it instead of instantiating it.
    Path bundle =
        handMadeBundle(
            dir.resolve("b.gantry"),
            "internal",
            javaSerialize(new BundleException("gadget")),
            List.of());

    assertThatThrownBy(() -> load(bundle, "internal"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("class " + BundleException.class.getName())
        .hasMessageContaining("of flow 'internal' not found");
  }

  @Test
  void streamHoldingSomethingOtherThanAFlowIsRefusedNamingItsClass() throws Exception {
    Path bundle =
        handMadeBundle(dir.resolve("b.gantry"), "text", javaSerialize("just text"), List.of());

    assertThatThrownBy(() -> load(bundle, "text"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("holds a java.lang.String, not a Flow");
  }

  @Test
  void deeplyNestedStreamIsRefusedByTheDepthLimit() throws Exception {
    Object[] nested = new Object[1];
    Object[] innermost = nested;
    for (int i = 0; i < FlowInputFilter.MAX_DEPTH + 100; i++) {
      Object[] next = new Object[1];
      innermost[0] = next;
      innermost = next;
    }
    Path bundle = handMadeBundle(dir.resolve("b.gantry"), "deep", javaSerialize(nested), List.of());

    assertThatThrownBy(() -> load(bundle, "deep"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("flow 'deep'")
        .hasMessageContaining("limits (depth " + (FlowInputFilter.MAX_DEPTH + 1) + ",");
  }

  @Test
  void streamWithTooManyObjectsIsRefusedByTheReferenceLimit() throws Exception {
    Object[] many = new Object[(int) FlowInputFilter.MAX_REFERENCES + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = Integer.valueOf(1_000 + i); // distinct objects, not the small-value cache
    }
    Path bundle = handMadeBundle(dir.resolve("b.gantry"), "many", javaSerialize(many), List.of());

    assertThatThrownBy(() -> load(bundle, "many"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("flow 'many'")
        .hasMessageContaining("references " + (FlowInputFilter.MAX_REFERENCES + 1) + ",");
  }

  @Test
  void hugeArrayIsRefusedByItsDeclaredLengthBeforeItIsAllocated() throws Exception {
    // A byte[1] stream whose length field claims more than the limit and carries no data: the
    // filter must refuse it from the header alone.
    byte[] small = javaSerialize(new byte[] {7});
    long claimed = FlowInputFilter.MAX_ARRAY_LENGTH + 1;
    byte[] forged = Arrays.copyOf(small, small.length - 1);
    ByteBuffer.wrap(forged, forged.length - 4, 4).putInt((int) claimed);
    Path bundle = handMadeBundle(dir.resolve("b.gantry"), "huge", forged, List.of());

    assertThatThrownBy(() -> load(bundle, "huge"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("array length " + claimed + ")");
  }

  private Path guardedBundle(String factoryMethod) throws Exception {
    return writeSerialized(
        "demo.Guarded#" + factoryMethod,
        List.of(guardedJar),
        dir.resolve(factoryMethod + ".gantry"));
  }

  private LoadedFlow load(Path bundle, String flowName) throws Exception {
    return BundleLoader.load(bundle, "loc", flowName, Sha256.of(bundle), dir.resolve("work"));
  }
}
