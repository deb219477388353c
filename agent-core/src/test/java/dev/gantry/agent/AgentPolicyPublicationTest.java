package dev.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.launch.BoundedLauncher;
import dev.gantry.launch.LaunchPolicy;
import dev.gantry.supervision.ScriptedLauncher;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent publishes the policy its launcher enforces when it registers, so others can read it. */
class AgentPolicyPublicationTest {
  @TempDir Path home;

  @Test
  void aBoundedAgentPublishesItsPolicyAndAnUnboundedOneNone() {
    LaunchPolicy policy =
        new LaunchPolicy(
            List.of("registry.acme/"), 1L << 30, 2000L, Set.of("etl"), false, true, false, false);
    try (LocalGantry gantry = new LocalGantry(home);
        BoundedLauncher bounded =
            new BoundedLauncher(new ScriptedLauncher(), policy, Duration.ofSeconds(1));
        ScriptedLauncher unbounded = new ScriptedLauncher()) {
      Agent boundedAgent =
          new Agent(
              gantry.client.backend(),
              bounded,
              LocalGantry.quickOptions("bounded"),
              SecretSource.NONE);
      Agent plainAgent =
          new Agent(
              gantry.client.backend(),
              unbounded,
              LocalGantry.quickOptions("plain"),
              SecretSource.NONE);
      boundedAgent.start();
      plainAgent.start();
      try (LocalGantry reader = new LocalGantry(home)) {
        assertThat(reader.client.backend().agents().policies())
            .containsExactly(java.util.Map.entry(boundedAgent.id(), policy));
        assertThat(reader.client.agents()).extracting(a -> a.name()).contains("bounded", "plain");
      } finally {
        boundedAgent.stop();
        plainAgent.stop();
      }
    }
  }
}
