package dev.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.ScheduleFireStore.FireFailure;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.domain.FlowRun;
import dev.gantry.metrics.ScheduleMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quartz schedules on the embedded H2 database: the same tables and delegate as on PostgreSQL. */
class H2SchedulesTest {
  @TempDir Path home;
  private JdbcBackend backend;
  private FlowScheduler scheduler;

  @BeforeEach
  void open() {
    backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home));
  }

  @AfterEach
  void close() {
    if (scheduler != null) {
      scheduler.close();
    }
    backend.close();
  }

  @Test
  void aScheduleCreatesRunsWithTheFlowsLabelsUntilANewVersionDropsIt() throws Exception {
    RegisteredFlow flow =
        backend.flows().register(version(FlowSchedule.every(Duration.ofSeconds(1))));
    scheduler =
        FlowScheduler.start(
            backend,
            backend.dataSource(),
            FlowScheduler.Options.defaults().withSyncInterval(Duration.ofMillis(300)));

    await().atMost(Duration.ofSeconds(15)).until(() -> runs().size() >= 2);
    FlowRun run = runs().get(0);
    assertThat(run.flowId()).isEqualTo(flow.id());
    assertThat(run.labels()).containsExactly("reports");
    assertThat(run.parameters()).isEmpty(); // defaults apply when the run starts
    assertThat(scheduler.nextFire("report")).isNotNull();

    backend.flows().register(version(null));
    scheduler.sync();

    assertThat(scheduler.nextFire("report")).isNull();
    int left = runs().size();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> runs().size() <= left + 1);
  }

  @Test
  void aCronScheduleIsKeptInQuartzAsRegistered() throws Exception {
    backend.flows().register(version(FlowSchedule.cron("0 0 2 * * ?")));
    scheduler =
        FlowScheduler.start(backend, backend.dataSource(), FlowScheduler.Options.defaults());

    assertThat(scheduler.nextFire("report").toString()).endsWith("T02:00:00Z");
  }

  @Test
  void aFireTheFlowRefusesIsRecordedAndCountedUntilTheNextGoodFireClearsIt() throws Exception {
    // A required parameter without a default: a schedule cannot give it, so each fire is refused.
    backend.flows().register(version(FlowSchedule.every(Duration.ofSeconds(1)), REQUIRED));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Instant started = Instant.now();
    scheduler =
        FlowScheduler.start(
            backend,
            backend.dataSource(),
            FlowScheduler.Options.defaults().withSyncInterval(Duration.ofMillis(300)),
            new ScheduleMeters(registry));

    await().atMost(Duration.ofSeconds(15)).until(() -> fires(registry, "failed") >= 1);
    List<FireFailure> failures = backend.scheduleFires().failures();
    assertThat(failures).hasSize(1);
    FireFailure failure = failures.get(0);
    assertThat(failure.flowName()).isEqualTo("report");
    assertThat(failure.fireAt()).isAfter(started.minusSeconds(1));
    assertThat(failure.reason()).contains("region").doesNotContain("\n");
    assertThat(runs()).isEmpty();
    assertThat(fires(registry, "created")).isZero();

    // The next version gives the parameter a default: the next fire creates its run.
    backend.flows().register(version(FlowSchedule.every(Duration.ofSeconds(1)), DEFAULTED));
    await().atMost(Duration.ofSeconds(15)).until(() -> fires(registry, "created") >= 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.scheduleFires().failures().isEmpty());
    assertThat(runs()).isNotEmpty();
  }

  private static double fires(SimpleMeterRegistry registry, String result) {
    return registry.get("gantry.schedule.fires").tag("result", result).counter().count();
  }

  private List<FlowRun> runs() {
    return backend.runs().list("report", Set.of(), 1000);
  }

  private static final ParameterSpec DEFAULTED = new ParameterSpec("region", "String", "eu", false);
  private static final ParameterSpec REQUIRED = new ParameterSpec("region", "String", null, true);

  private static NewFlowVersion version(FlowSchedule schedule) {
    return version(schedule, DEFAULTED);
  }

  private static NewFlowVersion version(FlowSchedule schedule, ParameterSpec parameter) {
    return new NewFlowVersion(
        "report",
        BundleFormat.module,
        "module:com.acme.Flows#report",
        null,
        "com.acme.Flows#report",
        null,
        List.of(new FlowLabel("reports", LabelSource.registration)),
        Set.of(),
        List.of(parameter),
        RunPolicy.DEFAULT,
        schedule);
  }
}
