package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.local.LocalLauncher;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.LocalGantry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --storage module}: the flow's classes are on the run's class path (here the child JVMs get
 * the examples jar on theirs, as an image would hold it): nothing is uploaded, nothing is
 * deserialized, and no default label is added.
 */
class ModuleStorageTest {
  @TempDir Path home;

  @Test
  void aModuleFlowStoresNothingGetsNoDefaultLabelAndRunsFromTheClassPath() throws Exception {
    CliResult register =
        CliResult.run(
            "flow",
            "register",
            "--jar",
            ExamplesJar.path().toString(),
            "--factory",
            BundleFixtures.ETL_FACTORY,
            "--storage",
            "module",
            "--home=" + home);
    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(register.out()).contains("(module)").contains("labels:   (none)");

    try (LocalGantry gantry = new LocalGantry(home);
        LocalLauncher launcher =
            new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path") + File.pathSeparator + ExamplesJar.path(),
                LocalGantry.CHILD_JVM,
                false)) {
      RegisteredFlow flow = gantry.client.flow("etl");
      assertThat(flow.format()).isEqualTo(BundleFormat.module);
      assertThat(flow.location()).isEqualTo("module:" + BundleFixtures.ETL_FACTORY);
      assertThat(flow.digest()).isNull();
      assertThat(flow.labels()).isEmpty();
      try (var stored = Files.list(home)) {
        assertThat(stored).noneMatch(p -> p.getFileName().toString().equals("flows"));
      }
      Agent agent =
          new Agent(
              gantry.client.backend(),
              launcher,
              AgentOptions.defaults("module-agent", Set.of())
                  .withPollInterval(Duration.ofMillis(100)),
              SecretSource.NONE);
      agent.start();
      try {
        FlowRun done =
            gantry.awaitEnd(gantry.run("etl", Map.of("rows", "10")).id(), Duration.ofSeconds(60));

        assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
        assertThat(gantry.client.backend().runs().logs(done.id(), 0, 1000))
            .anySatisfy(l -> assertThat(l.message()).contains(BundleFixtures.ETL_LOAD_10));
      } finally {
        agent.stop();
      }
    }
  }
}
