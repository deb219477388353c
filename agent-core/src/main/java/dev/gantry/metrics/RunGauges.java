package dev.gantry.metrics;

import dev.gantry.backend.AgentStore;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.RunSearch.ActiveRuns;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.RunState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gantry_runs{state}}, {@code gantry_runs_oldest_late_age_seconds} and {@code
 * gantry_agents{health}}, read from the database in the background every {@code refresh}: a scrape
 * reads the last snapshot and never waits for (or loads) the database.
 */
public final class RunGauges implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunGauges.class);

  /** An agent whose heartbeat is older than this (and that has not stopped) counts as stale. */
  public static final Duration STALE_AFTER = Duration.ofSeconds(60);

  private final RunSearch runs;
  private final AgentStore agents;
  private volatile Map<String, Long> agentsByHealth = Map.of();
  private final Clock clock;
  private final Duration lateAfter;
  private final ScheduledExecutorService refresher;
  private volatile ActiveRuns snapshot = new ActiveRuns(Map.of(), 0, null);
  private volatile Instant snapshotAt = Instant.EPOCH;

  /**
   * Registers the gauges on {@code registry} and starts refreshing them, unless the registry has
   * them already (a server and an agent in one process share one).
   *
   * @param lateAfter how long past due a Scheduled run counts as late
   */
  public static AutoCloseable register(
      RunSearch runs,
      AgentStore agents,
      MeterRegistry registry,
      Clock clock,
      Duration lateAfter,
      Duration refresh) {
    if (registry.find("gantry.runs").gauge() != null) {
      return () -> {};
    }
    return new RunGauges(runs, agents, registry, clock, lateAfter, refresh);
  }

  private RunGauges(
      RunSearch runs,
      AgentStore agents,
      MeterRegistry registry,
      Clock clock,
      Duration lateAfter,
      Duration refresh) {
    this.runs = runs;
    this.agents = agents;
    for (String health : List.of("healthy", "stale", "gone")) {
      Gauge.builder("gantry.agents", this, g -> g.agentsByHealth.getOrDefault(health, 0L))
          .description("Agents known to the database, by health (stale: no heartbeat for 60 s)")
          .tag("health", health)
          .strongReference(true)
          .register(registry);
    }
    this.clock = clock;
    this.lateAfter = lateAfter;
    for (RunState state : ActiveRuns.STATES) {
      gauge(registry, state.name(), s -> s.byState().getOrDefault(state, 0L));
    }
    gauge(registry, "late", ActiveRuns::late);
    Gauge.builder("gantry.runs.oldest.late.age", this, RunGauges::oldestLateAgeSeconds)
        .baseUnit("seconds")
        .description("How long the longest-waiting late run has been due (0 when none)")
        .strongReference(true)
        .register(registry);
    refresh();
    refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "gantry-run-gauges");
              thread.setDaemon(true);
              return thread;
            });
    refresher.scheduleWithFixedDelay(
        this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void gauge(MeterRegistry registry, String state, ToDoubleFunction<ActiveRuns> value) {
    Gauge.builder("gantry.runs", this, g -> value.applyAsDouble(g.snapshot))
        .description("Runs waiting or working, by state (late: Scheduled and past due)")
        .tag("state", state.toLowerCase(Locale.ROOT))
        .strongReference(true)
        .register(registry);
  }

  private double oldestLateAgeSeconds() {
    Instant oldest = snapshot.oldestLateDue();
    return oldest == null ? 0 : Math.max(0, Duration.between(oldest, snapshotAt).toSeconds());
  }

  /** Reads the counts now (also done in the background). */
  public void refresh() {
    try {
      Instant now = clock.instant();
      snapshot = runs.activeRuns(now.minus(lateAfter));
      snapshotAt = now;
      agentsByHealth =
          agents.list().stream()
              .collect(Collectors.groupingBy(agent -> health(agent, now), Collectors.counting()));
    } catch (RuntimeException e) {
      LOG.warn("run gauges not refreshed: {}", e.getMessage());
    }
  }

  private static String health(AgentInfo agent, Instant now) {
    if (agent.stoppedAt() != null) {
      return "gone";
    }
    return agent.heartbeatAt().isBefore(now.minus(STALE_AFTER)) ? "stale" : "healthy";
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
