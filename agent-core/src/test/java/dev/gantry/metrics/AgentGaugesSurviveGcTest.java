package dev.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The agent's gauges read lambdas nobody else holds. Micrometer keeps a gauge's state weakly unless
 * told otherwise, so after a collection such a gauge would read NaN for ever (CI saw {@code
 * gantry_agent_report_buffer} turn NaN on a busy machine).
 */
class AgentGaugesSurviveGcTest {
  @Test
  void gaugesStillReadTheirValuesAfterGarbageCollection() throws InterruptedException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger used = new AtomicInteger(2);
    AtomicInteger buffered = new AtomicInteger(7);
    new AgentMetrics(registry, "local")
        .agent(used::get, 4, () -> Instant.ofEpochSecond(1_000), buffered::get);
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(registry.get("gantry.agent.report.buffer").gauge().value()).isEqualTo(7);
    assertThat(registry.get("gantry.agent.last.heartbeat.timestamp").gauge().value())
        .isEqualTo(1_000);
    assertThat(registry.get("gantry.agent.slots").tag("slot", "used").gauge().value()).isEqualTo(2);
    assertThat(registry.get("gantry.agent.slots").tag("slot", "free").gauge().value()).isEqualTo(2);
  }
}
