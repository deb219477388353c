package dev.gantry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.bootstrap.ExitCodes;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.flow.storage.Storage;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.secrets.SecretVault;
import dev.gantry.testing.BootstrapProcess;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every storage kind does end to end, run by one subclass per kind against its real server: a
 * registered flow runs in a child JVM bootstrap from its location alone; a replaced bundle is
 * refused before anything runs; a missing one and wrong credentials fail the run in one line naming
 * the location; the default label is added unless switched off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StorageKindContractTest {
  protected static final String FACTORY = "dev.gantry.examples.Chatty#chatty";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir protected static Path dir;
  protected DatabaseGantryClient gantry;
  protected SecretVault vault;

  /** Starts the kind's server and sets the secrets it needs in {@link #vault}. */
  protected abstract void startServer() throws IOException;

  protected abstract void stopServer();

  /** A fresh storage of this kind (a new prefix, artifact or directory), with its default label. */
  protected abstract Storage storage(boolean defaultLabels) throws IOException;

  protected abstract String defaultLabel();

  /** The secret values a run is given: name to value. */
  protected abstract Map<String, String> runSecrets();

  /** Wrong values for the run's secrets, or null when the kind reads without credentials. */
  protected abstract Map<String, String> wrongSecrets();

  /** Replaces the stored flow with other bytes, as an attacker or a careless operator would. */
  protected abstract void tamper(RegisteredFlow flow) throws IOException;

  /** Deletes the stored flow. */
  protected abstract void delete(RegisteredFlow flow) throws IOException;

  /** How a failure message names the flow's location. */
  protected abstract String named(RegisteredFlow flow);

  protected RegisteredFlow register(Storage storage) throws IOException {
    return gantry.register(Registration.of(ExamplesJar.path(), FACTORY).withStorage(storage));
  }

  @BeforeAll
  void startKind() throws IOException {
    gantry = GantryClient.open(new GantryHome(dir.resolve("home")), null);
    vault = SecretVault.of(gantry.backend(), gantry.home().dir());
    startServer();
  }

  @AfterAll
  void stopKind() {
    if (gantry != null) {
      gantry.close();
    }
    stopServer();
  }

  protected BootstrapProcess.Result run(RegisteredFlow flow, Map<String, String> secrets) {
    BootstrapSpec spec =
        new BootstrapSpec(
            UUID.randomUUID().toString(),
            1,
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            Map.of(),
            secrets.keySet());
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    secrets.forEach((name, value) -> env.put("GANTRY_SECRET_" + name, value));
    return BootstrapProcess.run(env, List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"), dir, TIMEOUT);
  }

  @Test
  void aRegisteredFlowRunsFromItsLocationAlone() throws IOException {
    RegisteredFlow flow = register(storage(true));

    BootstrapProcess.Result result = run(flow, runSecrets());

    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(flow.secrets()).containsAll(runSecrets().keySet());
    runSecrets().values().forEach(v -> assertThat(flow.location()).doesNotContain(v));
  }

  @Test
  void aReplacedFlowIsRefusedBeforeAnyTaskRuns() throws IOException {
    RegisteredFlow flow = register(storage(true));
    tamper(flow);

    BootstrapProcess.Result result = run(flow, runSecrets());

    assertFailedNaming(result, flow);
    assertThat(result.lines()).noneMatch(l -> l.contains("\"event\":\"task\""));
  }

  @Test
  void aMissingFlowFailsTheRunInOneLineNamingTheLocation() throws IOException {
    RegisteredFlow flow = register(storage(true));
    delete(flow);

    assertFailedNaming(run(flow, runSecrets()), flow);
  }

  @Test
  void wrongCredentialsFailTheRunNamingTheLocationButNotTheValues() throws IOException {
    assumeTrue(wrongSecrets() != null, "this kind reads without credentials");
    RegisteredFlow flow = register(storage(true));

    BootstrapProcess.Result result = run(flow, wrongSecrets());

    assertFailedNaming(result, flow);
    wrongSecrets().values().forEach(v -> assertThat(result.resultLine()).doesNotContain(v));
  }

  @Test
  void theDefaultLabelIsAddedUnlessSwitchedOff() throws IOException {
    assertThat(register(storage(true)).labels())
        .extracting(FlowLabel::label)
        .contains(defaultLabel());
    assertThat(register(storage(false)).labels())
        .extracting(FlowLabel::label)
        .doesNotContain(defaultLabel());
  }

  /** Whether {@code gantry flow push} writes to this kind's locations (not Maven's). */
  protected boolean pushable() {
    return true;
  }

  @Test
  void aPushReplacesTheSourceBundleAtItsLocationAndTheNextRunReportsIt() throws IOException {
    RegisteredFlow flow =
        pushable()
            ? gantry.register(
                Registration.of(ExamplesJar.path(), FACTORY)
                    .withStorage(storage(true))
                    .withFormat(BundleFormat.source))
            : register(storage(true));
    List<Path> jars = List.of(ExamplesJar.path(), emptyJar());
    if (!pushable()) {
      assertThatThrownBy(
              () -> gantry.push(new BundlePushRequest(flow.name(), jars, null, "contract")))
          .isInstanceOf(RegistrationException.class)
          .hasMessageContaining("register a new version")
          .hasMessageNotContaining("\n");
      BootstrapProcess.Result result = run(flow, runSecrets());
      assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.SUCCESS);
      assertThat(result.lines())
          .as("a storage that resolves anew reports the build it ran")
          .anyMatch(l -> l.contains("\"event\":\"bundle\"") && l.contains("\"build\":\""));
      return;
    }

    BundlePush push = gantry.push(new BundlePushRequest(flow.name(), jars, null, "contract"));
    BootstrapProcess.Result result = run(flow, runSecrets());

    assertThat(push.digest()).isNotEqualTo(flow.digest());
    assertThat(gantry.pushes(flow.name())).first().isEqualTo(push);
    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(result.lines())
        .as("the run fetched the pushed bundle from the version's location")
        .anyMatch(
            l ->
                l.contains("\"event\":\"bundle\"")
                    && l.contains("\"sha256\":\"" + push.digest() + "\""));
  }

  /** A jar with nothing in it, so the pushed bundle differs from the registered one. */
  private static Path emptyJar() throws IOException {
    Path jar = dir.resolve("empty-" + UUID.randomUUID() + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("empty/"));
      out.closeEntry();
    }
    return jar;
  }

  private void assertFailedNaming(BootstrapProcess.Result result, RegisteredFlow flow) {
    assertThat(result.exitCode()).as("%s", result.lines()).isEqualTo(ExitCodes.LOAD_FAILED);
    assertThat(result.resultLine()).contains("\"state\":\"Failed\"").contains(named(flow));
  }
}
