package dev.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.domain.RunState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The number of series stays the same however many runs pass: no run-specific label. */
class AgentMetricsCardinalityTest {
  private static final String[] REASONS = {
    "ImagePullFailed", "SecretMissing", "BundleRefused", "RunSettingRefused", "LaunchError", "X"
  };

  @Test
  void tenThousandRunsAddNoSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AgentMetrics metrics = new AgentMetrics(registry, "local");
    metrics.agent(() -> 1, 4, Instant::now, () -> 0);
    simulate(metrics, 0, 100);
    int seriesAfterAHundred = registry.getMeters().size();
    simulate(metrics, 100, 10_000);
    assertThat(registry.getMeters()).hasSize(seriesAfterAHundred);
    assertThat(registry.get("gantry.runs.finished").counters())
        .extracting(c -> c.getId().getTag("state"))
        .containsOnly("success", "failed", "crashed", "cancelled");
    assertThat(registry.get("gantry.run.launch.failures").counters())
        .extracting(c -> c.getId().getTag("reason"))
        .containsExactlyInAnyOrder(
            "image_pull", "missing_secret", "bundle_refused", "policy", "other");
  }

  private static void simulate(AgentMetrics metrics, int from, int to) {
    RunState[] ends = {RunState.Success, RunState.Failed, RunState.Crashed, RunState.Cancelled};
    Instant due = Instant.parse("2026-12-03T00:00:00Z");
    for (int i = from; i < to; i++) {
      metrics.polled(i % 3, i % 17 == 0, Duration.ofMillis(i % 50));
      metrics.launched(i % 5 != 0, Duration.ofMillis(i));
      if (i % 5 == 0) {
        metrics.launchFailed(REASONS[i % REASONS.length] + (i % REASONS.length == 5 ? i : ""));
      }
      Instant running = due.plusMillis(i);
      metrics.started(due, running);
      metrics.finished(ends[i % ends.length], running, running.plusSeconds(i % 600));
      metrics.logLinesStored(i % 40);
      metrics.logLinesDropped(i % 2);
    }
  }
}
