package dev.gantry.launch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.registration.Registration;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run's secret value reaches its task through {@code Secrets.get} in a child JVM, fresh or warm,
 * and is never in the child's environment ({@code /proc/PID/environ}, readable by the same user):
 * it travels as the first line on the child's stdin.
 */
class LocalLauncherSecretsTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final String TOKEN = "tok-" + UUID.randomUUID();

  @TempDir Path home;

  @ParameterizedTest(name = "warm start {0}")
  @ValueSource(booleans = {false, true})
  void theValueReachesTheTaskButNotTheChildsEnvironment(boolean warm) throws Exception {
    try (LocalGantry gantry = new LocalGantry(home);
        LocalLauncher launcher = new LocalLauncher(LocalGantry.CHILD_JVM, warm)) {
      Path jar = BundleFixtures.compileJar(home.resolve("secret-flows.jar"), secretFlow());
      gantry.client.register(Registration.of(jar, "sec.Flows#reader"));
      SecretSource secrets = names -> Map.of("API_TOKEN", TOKEN);
      Agent agent =
          new Agent(
              gantry.client.backend(), launcher, LocalGantry.quickOptions("secrets"), secrets);
      agent.start();
      try {
        if (warm) {
          Thread.sleep(1_000); // let the warm JVM start, so the run takes it
        }
        FlowRun run = gantry.run("secret-reader", Map.of("seconds", "3"));
        await().atMost(WITHIN).until(() -> launcher.childPids().containsKey(run.id()));
        long pid = launcher.childPids().get(run.id());
        await()
            .atMost(WITHIN)
            .until(() -> logs(gantry, run).stream().anyMatch(l -> l.message().contains("length")));
        String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), UTF8);

        FlowRun done = gantry.awaitEnd(run.id(), WITHIN);

        assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
        assertThat(environ)
            .as("/proc/%d/environ of the run's JVM", pid)
            .doesNotContain(TOKEN)
            // a warm JVM got the run's variables on stdin too; a fresh one in its environment
            .contains(warm ? "GANTRY_STANDBY=true" : "GANTRY_RUN_ID=" + run.id())
            .contains(warm ? "GANTRY_WATCH_STDIN=true" : "GANTRY_SECRETS_ON_STDIN=true");
        assertThat(logs(gantry, run))
            .anySatisfy(
                l ->
                    assertThat(l.message())
                        .contains("length " + TOKEN.length() + " in environment false"));
      } finally {
        agent.stop();
      }
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static List<LogRecord> logs(LocalGantry gantry, FlowRun run) {
    return gantry.client.backend().runs().logs(run.id(), 0, 10_000);
  }

  private static Map<String, String> secretFlow() {
    return Map.of(
        "sec.Flows",
        """
        package sec;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Parameter;
        import dev.gantry.flow.Secrets;

        public final class Flows {
          public static Flow reader() {
            Flow flow = new Flow("secret-reader").secrets("API_TOKEN");
            Parameter<Integer> seconds = flow.parameter("seconds", Integer.class, 0);
            flow.task("read", seconds, s -> {
              String token = Secrets.get("API_TOKEN");
              boolean inEnvironment = System.getenv().containsValue(token);
              System.out.println("length " + token.length() + " in environment " + inEnvironment);
              try {
                Thread.sleep(s * 1000L);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return token.length();
            });
            return flow;
          }
        }
        """);
  }
}
