package dev.gantry.bundle;

import static dev.gantry.bundle.BundleFixtures.ETL_FACTORY;
import static dev.gantry.bundle.BundleFixtures.ETL_LOAD_10;
import static dev.gantry.bundle.BundleFixtures.compileJar;
import static dev.gantry.bundle.BundleFixtures.examplesJar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.run.FlowRunResult;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import dev.gantry.flow.storage.Local;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.storage.BundleLocations;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration freezes a flow into a bundle, stores it and records what runs need to know. */
class FlowRegistrarBundleTest {
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
  void flowCapturingANonSerializableObjectFailsAtRegistrationNamingItsClass() throws Exception {
    Path jar = compileJar(dir.resolve("leaky.jar"), DemoSources.leaky());

    assertThatThrownBy(() -> registrar.register(Registration.of(jar, "demo.Leaky#flow")))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("flow 'leaky' cannot be serialized")
        .hasMessageContaining("demo.Holder, which is not Serializable")
        .hasMessageContaining("--as-source")
        .hasCauseInstanceOf(BundleException.class);
    assertThat(backend.flows().latest("leaky")).isEmpty();
    assertThat(home.resolve("flows/leaky")).doesNotExist();
  }

  @Test
  void flowCapturingANonSerializableObjectRegistersAsSourceAndRuns() throws Exception {
    Path jar = compileJar(dir.resolve("leaky.jar"), DemoSources.leaky());

    RegisteredFlow flow =
        registrar.register(Registration.of(jar, "demo.Leaky#flow").withFormat(BundleFormat.source));

    assertThat(flow.format()).isEqualTo(BundleFormat.source);
    assertThat(flow.factory()).isEqualTo("demo.Leaky#flow");
    Path stored = Path.of(URI.create(flow.location()));
    assertThat(stored).isEqualTo(home.resolve("flows/leaky/source.gantry"));
    assertThat(Sha256.of(stored)).isEqualTo(flow.digest());
    assertThat(run(flow, Map.of()).results()).containsEntry("peek", "held");
  }

  @Test
  void flowTheRunCouldNotDeserializeIsRefusedAtRegistration() throws Exception {
    Path jar = compileJar(dir.resolve("guarded.jar"), DemoSources.guarded());

    assertThatThrownBy(() -> registrar.register(Registration.of(jar, "demo.Guarded#counter")))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("flow 'counter'")
        .hasMessageContaining("java.util.concurrent.atomic.AtomicLong");
    assertThat(backend.flows().latest("counter")).isEmpty();
  }

  @Test
  void registeredSerializedFlowRecordsLabelsWithTheirSourcesParametersSecretsAndImage()
      throws Exception {
    Path jar = compileJar(dir.resolve("labelled.jar"), DemoSources.labelled());

    RegisteredFlow flow =
        registrar.register(Registration.of(jar, "demo.Labelled#flow").withLabels(Set.of("extra")));

    assertThat(flow.name()).isEqualTo("labelled");
    assertThat(flow.version()).isEqualTo(1);
    assertThat(flow.format()).isEqualTo(BundleFormat.serialized);
    assertThat(flow.factory()).isEqualTo("demo.Labelled#flow");
    assertThat(flow.image()).isEqualTo("acme/labelled:1");
    assertThat(flow.labels())
        .containsExactlyInAnyOrder(
            new FlowLabel("team-a", LabelSource.flow),
            new FlowLabel("linux", LabelSource.environment),
            new FlowLabel(Local.hostName(), LabelSource.storage),
            new FlowLabel("extra", LabelSource.registration));
    assertThat(flow.secrets()).containsExactlyInAnyOrder("DB_PASSWORD", "API_TOKEN");
    assertThat(flow.parameters())
        .containsExactly(
            new ParameterSpec("who", "String", null, true),
            new ParameterSpec("wait", "Duration", "PT5S", false));
    assertThat(backend.flows().latest("labelled")).contains(flow);
  }

  @Test
  void serializedBundleIsStoredContentAddressedAndLoadsFromItsLocationWithItsDigest()
      throws Exception {
    RegisteredFlow flow = registrar.register(Registration.of(examplesJar(), ETL_FACTORY));

    assertThat(flow.format()).isEqualTo(BundleFormat.serialized);
    Path stored = Path.of(URI.create(flow.location()));
    assertThat(stored).isEqualTo(home.resolve("flows/etl/" + flow.digest() + ".gantry"));
    assertThat(Sha256.of(stored)).isEqualTo(flow.digest());
    assertThat(flow.parameters())
        .containsExactly(new ParameterSpec("rows", "Integer", "100", false));
    assertThat(flow.labels()).containsExactly(new FlowLabel(Local.hostName(), LabelSource.storage));
    assertThat(run(flow, Map.of("rows", "10")).results()).containsEntry("load", ETL_LOAD_10);
  }

  @Test
  void withoutDefaultLabelsLeavesOutTheStoragesHostLabelOnly() throws Exception {
    Path jar = compileJar(dir.resolve("labelled.jar"), DemoSources.labelled());
    registrar.register(Registration.of(jar, "demo.Labelled#flow"));

    RegisteredFlow flow =
        registrar.register(Registration.of(jar, "demo.Labelled#flow").withoutDefaultLabels());

    assertThat(flow.version()).isEqualTo(2);
    assertThat(flow.labels())
        .containsExactlyInAnyOrder(
            new FlowLabel("team-a", LabelSource.flow),
            new FlowLabel("linux", LabelSource.environment));
  }

  @Test
  void storageWithoutDefaultLabelsStoresInItsDirectoryWithoutTheHostLabel() throws Exception {
    Path flows = dir.resolve("shared-flows");

    RegisteredFlow flow =
        registrar.register(
            Registration.of(examplesJar(), ETL_FACTORY)
                .withStorage(Local.directory(flows.toString()).withoutDefaultLabels()));

    assertThat(Path.of(URI.create(flow.location())))
        .isEqualTo(flows.resolve("etl/" + flow.digest() + ".gantry"))
        .exists();
    assertThat(flow.labels()).isEmpty();
  }

  @Test
  void missingJarIsRefusedBeforeAnythingIsBuilt() {
    Path missing = dir.resolve("nope.jar");

    assertThatThrownBy(() -> registrar.register(Registration.of(missing, ETL_FACTORY)))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("jar " + missing + " does not exist");
  }

  @Test
  void unknownFactoryClassIsRefusedNamingIt() {
    assertThatThrownBy(
            () -> registrar.register(Registration.of(examplesJar(), "dev.gantry.examples.Nope#x")))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("factory class dev.gantry.examples.Nope not found");
  }

  /** Fetches and loads the registered bundle as the bootstrap would, then runs it. */
  private FlowRunResult run(RegisteredFlow flow, Map<String, String> parameters) throws Exception {
    Path fetched = dir.resolve("fetched-" + flow.version() + ".gantry");
    BundleLocations.fetch(flow.name(), flow.location(), fetched);
    String digest = flow.format() == BundleFormat.serialized ? flow.digest() : null;
    try (LoadedFlow loaded =
        BundleLoader.load(
            fetched, flow.location(), flow.name(), digest, dir.resolve("work-" + flow.id()))) {
      FlowRunResult result =
          new FlowRunner(2, TaskStateListener.NONE).run(loaded.flow(), parameters);
      assertThat(result.success()).as(result.message()).isTrue();
      return result;
    }
  }
}
