package dev.gantry.launch.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.agent.Agent;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a real child JVM, a flow's environment variables reach its task, a run past its run timeout is
 * stopped and ends Failed saying it timed out with its task ended too, and a setting the local
 * launcher cannot apply fails the launch naming it.
 */
class LocalRunConfigTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path home;

  @Test
  void theFlowsEnvReachesTheTaskAndARunPastItsTimeoutEndsTimedOut() throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        BoundedLauncher launcher =
            new BoundedLauncher(
                new LocalLauncher(LocalGantry.CHILD_JVM, true),
                LaunchPolicy.DEFAULT,
                Duration.ofSeconds(5))) {
      Path jar = BundleFixtures.compileJar(home.resolve("timed.jar"), flows());
      gantry.client.register(Registration.of(jar, "timed.Flows#sleeper"));
      gantry.client.register(Registration.of(jar, "timed.Flows#sized"));
      Agent agent =
          new Agent(
              gantry.client.backend(),
              launcher,
              LocalGantry.quickOptions("timed"),
              SecretSource.NONE);
      agent.start();
      try {
        FlowRun run = gantry.run("sleeper", Map.of());
        FlowRun sized = gantry.run("sized", Map.of());

        FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
        FlowRun refused = gantry.awaitEnd(sized.id(), WITHIN);

        assertThat(done.state()).isEqualTo(RunState.Failed);
        assertThat(done.message())
            .startsWith("run " + run.id() + " timed out after its run timeout of 10s")
            .contains("was stopped");
        assertThat(logs(gantry, run))
            .anySatisfy(l -> assertThat(l.message()).contains("MODE=full REGION=eu"));
        List<TaskRun> tasks = gantry.client.backend().runs().taskRuns(run.id());
        assertThat(tasks)
            .singleElement()
            .satisfies(t -> assertThat(t.state().isFinal()).as(t.toString()).isTrue())
            .satisfies(t -> assertThat(t.endedAt()).isNotNull());
        assertThat(done.endedAt()).isBefore(done.startedAt().plusSeconds(30));

        assertThat(refused.state()).isEqualTo(RunState.Failed);
        assertThat(refused.message())
            .isEqualTo(
                "run "
                    + sized.id()
                    + " of flow 'sized': the local launcher cannot apply run setting memory"
                    + " (flow); run the flow on an agent that can, or register it without that"
                    + " setting");
      } finally {
        agent.stop();
      }
    }
  }

  private static List<LogRecord> logs(LocalGantry gantry, FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  private static Map<String, String> flows() {
    return Map.of(
        "timed.Flows",
        """
        package timed;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.environment.DockerRun;
        import dev.gantry.flow.environment.LocalEnvironment;
        import java.time.Duration;
        import java.util.Map;

        public final class Flows {
          public static Flow sleeper() {
            Flow flow = new Flow("sleeper");
            flow.environment(
                LocalEnvironment.withMetadata(Map.of())
                    .env("MODE", "full")
                    .env("REGION", "eu")
                    .runTimeout(Duration.ofSeconds(10)));
            flow.task("sleep", () -> {
              System.out.println("MODE=" + System.getenv("MODE") + " REGION=" + System.getenv("REGION"));
              Thread.sleep(120_000);
              return "woke";
            });
            return flow;
          }

          public static Flow sized() {
            Flow flow = new Flow("sized");
            flow.environment(DockerRun.defaultImage().memory("2g"));
            flow.task("hello", () -> "hi");
            return flow;
          }
        }
        """);
  }
}
