package dev.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.flow.GantryVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** {@code gantry_build_info} says which Gantry runs: the version every bundle records. */
class BuildInfoTest {

  @Test
  void theBuildInfoCarriesGantrysVersion() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ProcessMeters.bind(registry, "agent");

    Gauge info = registry.get("gantry.build.info").gauge();
    assertThat(info.getId().getTag("version"))
        .isEqualTo(GantryVersion.current())
        .matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(info.getId().getTag("component")).isEqualTo("agent");
    assertThat(info.value()).isEqualTo(1.0);
  }
}
