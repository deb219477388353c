package dev.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.metrics.ScheduleMeters;
import dev.gantry.testing.PostgresSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quartz schedules on PostgreSQL with several schedulers on one database, as several agents run.
 */
class ClusteredSchedulesTest {
  private static final FlowScheduler.Options QUICK =
      FlowScheduler.Options.defaults().withSyncInterval(Duration.ofMillis(500));

  private PostgresSchema schema;
  private final List<JdbcBackend> backends = new ArrayList<>();
  private final List<FlowScheduler> schedulers = new ArrayList<>();
  private JdbcBackend backend;

  @BeforeEach
  void open() {
    schema = PostgresSchema.create();
    backend = openBackend();
  }

  @AfterEach
  void close() {
    schedulers.forEach(FlowScheduler::close);
    backends.forEach(JdbcBackend::close);
    schema.close();
  }

  @Test
  void aCronScheduleFiresOncePerTickWithThreeSchedulers() {
    RegisteredFlow flow = register("tick", FlowSchedule.cron("* * * * * ?"));
    for (int i = 0; i < 3; i++) {
      start(openBackend(), QUICK);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> runs(flow).size() >= 8);
    schedulers.forEach(FlowScheduler::close);
    schedulers.clear();

    List<Instant> fires = runs(flow).stream().map(FlowRun::scheduledAt).sorted().toList();
    assertThat(fires).doesNotHaveDuplicates();
    assertThat(fires).allSatisfy(at -> assertThat(at.getNano()).isZero());
    long ticks = Duration.between(fires.get(0), fires.get(fires.size() - 1)).toSeconds() + 1;
    assertThat(fires)
        .as("one run per tick from %s to %s", fires.get(0), fires.get(fires.size() - 1))
        .hasSize((int) ticks);
    assertThat(runs(flow))
        .allSatisfy(
            run -> {
              assertThat(run.flowId()).isEqualTo(flow.id());
              assertThat(run.state()).isEqualTo(RunState.Scheduled);
            });
  }

  /**
   * The documented misfire policy: fires missed while every scheduler was down are not made up one
   * by one; the schedule fires once at once, then continues on its ticks.
   */
  @Test
  void afterDowntimeAMissedScheduleFiresOnceAtOnceThenContinuesOnItsTicks() {
    RegisteredFlow flow = register("every-2s", FlowSchedule.cron("0/2 * * * * ?"));
    FlowScheduler.Options options = QUICK.withMisfireThreshold(Duration.ofSeconds(1));
    FlowScheduler first = start(backend, options);
    await().atMost(Duration.ofSeconds(10)).until(() -> !runs(flow).isEmpty());

    first.close();
    schedulers.remove(first);
    int beforeDowntime = runs(flow).size();
    Instant lastBeforeDowntime = latest(runs(flow));
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(6))
        .until(() -> runs(flow).size() == beforeDowntime);
    Instant up = Instant.now();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FlowScheduler second =
        FlowScheduler.start(backend, backend.dataSource(), options, new ScheduleMeters(meters));
    schedulers.add(second);
    await().atMost(Duration.ofSeconds(15)).until(() -> runs(flow).size() >= beforeDowntime + 3);
    assertThat(meters.get("gantry.schedule.fires").tag("result", "skipped").counter().count())
        .as("the missed ticks, replaced by one fire at once")
        .isGreaterThanOrEqualTo(1);
    assertThat(meters.get("gantry.schedule.fires").tag("result", "created").counter().count())
        .isGreaterThanOrEqualTo(3);
    assertThat(meters.get("gantry.schedule.fires").tag("result", "failed").counter().count())
        .isZero();

    List<Instant> after =
        runs(flow).stream()
            .map(FlowRun::scheduledAt)
            .filter(at -> at.isAfter(lastBeforeDowntime))
            .sorted()
            .toList();
    Instant catchUp = after.get(0);
    assertThat(catchUp)
        .as("the one fire for the missed ticks")
        .isAfterOrEqualTo(up.minusMillis(50));
    assertThat(catchUp).isBefore(up.plusSeconds(3));
    assertThat(catchUp.toEpochMilli() % 2000).as("fired at once, not on a tick").isNotZero();
    List<Instant> continued = after.subList(1, after.size());
    assertThat(continued).allSatisfy(at -> assertThat(at.toEpochMilli() % 2000).isZero());
    assertThat(Duration.between(continued.get(0), continued.get(continued.size() - 1)).toSeconds())
        .isEqualTo(2L * (continued.size() - 1));
  }

  @Test
  void aPausedScheduleCreatesNoRunsUntilResumed() {
    RegisteredFlow flow = register("every-second", FlowSchedule.every(Duration.ofSeconds(1)));
    start(backend, QUICK);
    await().atMost(Duration.ofSeconds(15)).until(() -> runs(flow).size() >= 2);

    assertThat(backend.flows().pauseSchedule(flow.name(), true)).isTrue();
    Instant pausedAt = Instant.now();
    int atPause = runs(flow).size();
    // A fire already under way when the pause committed may still create its run.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> runs(flow).size() <= atPause + 1);
    int paused = runs(flow).size();

    assertThat(backend.flows().pauseSchedule(flow.name(), false)).isTrue();
    Instant resumedAt = Instant.now();
    await().atMost(Duration.ofSeconds(15)).until(() -> runs(flow).size() >= paused + 2);
    // The fires missed while paused are not made up after the resume.
    assertThat(runs(flow))
        .extracting(FlowRun::scheduledAt)
        .noneMatch(at -> at.isAfter(pausedAt.plusSeconds(1)) && at.isBefore(resumedAt));
  }

  private RegisteredFlow register(String name, FlowSchedule schedule) {
    return backend
        .flows()
        .register(
            new NewFlowVersion(
                name,
                BundleFormat.module,
                "module:com.acme.Flows#" + name,
                null,
                "com.acme.Flows#" + name,
                null,
                List.of(),
                Set.of(),
                List.of(),
                RunPolicy.DEFAULT,
                schedule));
  }

  private FlowScheduler start(JdbcBackend on, FlowScheduler.Options options) {
    FlowScheduler scheduler = FlowScheduler.start(on, on.dataSource(), options);
    schedulers.add(scheduler);
    return scheduler;
  }

  private JdbcBackend openBackend() {
    JdbcBackend opened = JdbcBackend.open(schema.url());
    backends.add(opened);
    return opened;
  }

  private List<FlowRun> runs(RegisteredFlow flow) {
    return backend.runs().list(flow.name(), Set.of(), 10_000);
  }

  private static Instant latest(List<FlowRun> runs) {
    return runs.stream().map(FlowRun::scheduledAt).max(Instant::compareTo).orElseThrow();
  }
}
