package dev.gantry.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.ScheduleFireStore.FireFailure;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RunPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What every {@link ScheduleFireStore} does, run by one subclass per database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ScheduleFireStoreContractTest {
  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
  private static final FlowSchedule HOURLY = FlowSchedule.every(Duration.ofHours(1));

  private Backend backend;

  protected abstract Backend openBackend();

  @BeforeAll
  void open() {
    backend = openBackend();
  }

  @AfterAll
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aFailedFireIsListedWithItsReasonOnOneLineUntilALaterGoodFire() {
    String flow = register(HOURLY);
    ScheduleFireStore fires = backend.scheduleFires();

    fires.failed(flow, T0, "flow 'x' needs parameter 'region'\n\tno default");

    assertThat(mine(flow))
        .containsExactly(new FireFailure(flow, T0, "flow 'x' needs parameter 'region' no default"));

    fires.succeeded(flow, T0.minusSeconds(3600)); // an older fire recovered late changes nothing
    assertThat(mine(flow)).hasSize(1);

    fires.succeeded(flow, T0.plusSeconds(3600));
    assertThat(mine(flow)).isEmpty();
  }

  @Test
  void aNewerFailureReplacesAnOlderOneButNotTheOtherWayRound() {
    String flow = register(HOURLY);
    ScheduleFireStore fires = backend.scheduleFires();

    fires.failed(flow, T0, "first");
    fires.failed(flow, T0.plusSeconds(60), "second");
    fires.failed(flow, T0.minusSeconds(60), "stale");

    assertThat(mine(flow)).containsExactly(new FireFailure(flow, T0.plusSeconds(60), "second"));
  }

  @Test
  void aFailureKeepsThePauseFlagAndAPauseKeepsTheFailure() {
    String flow = register(HOURLY);
    ScheduleFireStore fires = backend.scheduleFires();

    fires.failed(flow, T0, "refused");
    assertThat(paused(flow)).isFalse();
    assertThat(backend.flows().pauseSchedule(flow, true)).isTrue();
    fires.failed(flow, T0.plusSeconds(1), "refused again");

    assertThat(paused(flow)).isTrue();
    assertThat(mine(flow)).extracting(FireFailure::reason).containsExactly("refused again");
  }

  @Test
  void aScheduleRemovedByANewVersionTakesItsFailureOffTheList() {
    String flow = register(HOURLY);
    backend.scheduleFires().failed(flow, T0, "refused");

    backend.flows().register(version(flow, null));

    assertThat(mine(flow)).isEmpty();
  }

  @Test
  void aLongReasonIsCutToTheColumn() {
    String flow = register(HOURLY);

    backend.scheduleFires().failed(flow, T0, "x".repeat(2_000));

    assertThat(mine(flow).get(0).reason()).hasSize(ScheduleFireStore.MAX_REASON);
  }

  private List<FireFailure> mine(String flow) {
    return backend.scheduleFires().failures().stream()
        .filter(f -> f.flowName().equals(flow))
        .toList();
  }

  private boolean paused(String flow) {
    return backend.flows().scheduled().stream()
        .filter(f -> f.name().equals(flow))
        .findFirst()
        .orElseThrow()
        .paused();
  }

  private String register(FlowSchedule schedule) {
    String name = "nightly-" + UUID.randomUUID().toString().substring(0, 8);
    backend.flows().register(version(name, schedule));
    return name;
  }

  private static NewFlowVersion version(String name, FlowSchedule schedule) {
    return new NewFlowVersion(
        name,
        BundleFormat.module,
        "module:com.acme.Flows#nightly",
        null,
        "com.acme.Flows#nightly",
        null,
        List.of(new FlowLabel("reports", LabelSource.registration)),
        Set.of(),
        List.of(),
        RunPolicy.DEFAULT,
        schedule);
  }
}
