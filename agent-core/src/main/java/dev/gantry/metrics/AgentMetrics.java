package dev.gantry.metrics;

import dev.gantry.domain.RunState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What an agent counts and times, as Micrometer meters: polls, launches and their failures, the
 * wait from due to Running, finished runs and their durations, slots, heartbeats and log lines.
 * Labels are bounded sets (agent kind, outcome, reason, state): never a run id, flow or version, so
 * the number of series does not grow with runs. Histograms, not summaries, so they aggregate across
 * agents.
 */
public final class AgentMetrics {
  /** Bucket bounds for waits and launches, from sub-second to an hour. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)
  };

  /** Bucket bounds for run durations, from a second to a day. */
  private static final Duration[] DURATION_BUCKETS = {
    Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
    Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1),
    Duration.ofHours(4), Duration.ofHours(24)
  };

  private final MeterRegistry registry;
  private final String kind;

  /**
   * @param kind the agent's kind (local, docker, kubernetes), a label on every agent meter
   */
  public AgentMetrics(MeterRegistry registry, String kind) {
    this.registry = registry;
    this.kind = kind;
  }

  /** Meters that go nowhere, for agents started without a metrics endpoint. */
  public static AgentMetrics none() {
    return new AgentMetrics(new CompositeMeterRegistry(), "none");
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The agent's slots (used now, of {@code max}) and when its heartbeat last succeeded. */
  public void agent(
      IntSupplier used, int max, Supplier<Instant> lastHeartbeat, IntSupplier bufferedReports) {
    Gauge.builder("gantry.agent.report.buffer", bufferedReports, s -> s.getAsInt())
        .description("Task states and log lines of its runs waiting for the database")
        .tag("kind", kind)
        .strongReference(true)
        .register(registry);
    Gauge.builder("gantry.agent.last.heartbeat.timestamp", lastHeartbeat, AgentMetrics::epochSecond)
        .baseUnit("seconds")
        .description("When the agent's heartbeat last reached the database (Unix time)")
        .tag("kind", kind)
        .strongReference(true)
        .register(registry);
    Gauge.builder("gantry.agent.slots", used, s -> s.getAsInt())
        .description("Run slots of the agent, used and free")
        .tags("kind", kind, "slot", "used")
        .strongReference(true)
        .register(registry);
    Gauge.builder("gantry.agent.slots", used, s -> max - s.getAsInt())
        .tags("kind", kind, "slot", "free")
        .strongReference(true)
        .register(registry);
  }

  /** One poll for due runs: {@code claimed} runs (0: empty), or {@code failed}. */
  public void polled(int claimed, boolean failed, Duration took) {
    String result = failed ? "error" : claimed == 0 ? "empty" : "claimed";
    Counter.builder("gantry.agent.polls")
        .description("Polls for due runs by result")
        .tags("kind", kind, "result", result)
        .register(registry)
        .increment();
    Timer.builder("gantry.agent.poll.duration")
        .description("How long a poll for due runs took")
        .tag("kind", kind)
        .serviceLevelObjectives(
            Duration.ofMillis(5),
            Duration.ofMillis(25),
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            Duration.ofSeconds(2))
        .register(registry)
        .record(took);
  }

  /** A claimed run's launch ended: from claim to its infrastructure running, or to the refusal. */
  public void launched(boolean ok, Duration took) {
    Timer.builder("gantry.run.launch")
        .description("From claim to the run's infrastructure running (or the launch failing)")
        .tags("kind", kind, "outcome", ok ? "launched" : "failed")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)
        .record(took);
  }

  /** A launch failed; the launcher's reason code is sorted into a bounded set of reasons. */
  public void launchFailed(String reasonCode) {
    Counter.builder("gantry.run.launch.failures")
        .description("Launches that failed, by reason")
        .tags("kind", kind, "reason", LaunchFailureReason.of(reasonCode))
        .register(registry)
        .increment();
  }

  /** The run reported Running: the wait since it was due. */
  public void started(Instant due, Instant running) {
    if (due == null || running == null) {
      return;
    }
    Duration wait = Duration.between(due, running);
    Timer.builder("gantry.run.schedule.to.start")
        .description("From a run being due to it running")
        .tag("kind", kind)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)
        .record(wait.isNegative() ? Duration.ZERO : wait);
  }

  /** A run ended in {@code state}; its duration counts when it had started. */
  public void finished(RunState state, Instant started, Instant ended) {
    String name = state.name().toLowerCase(Locale.ROOT);
    Counter.builder("gantry.runs.finished")
        .description("Runs that ended, by final state")
        .tags("kind", kind, "state", name)
        .register(registry)
        .increment();
    if (started != null && ended != null && !ended.isBefore(started)) {
      Timer.builder("gantry.run.duration")
          .description("From Running to the end, by final state")
          .tags("kind", kind, "state", name)
          .serviceLevelObjectives(DURATION_BUCKETS)
          .register(registry)
          .record(Duration.between(started, ended));
    }
  }

  private static double epochSecond(Supplier<Instant> at) {
    Instant instant = at.get();
    return instant == null ? 0 : instant.getEpochSecond();
  }

  /** Log lines written to the database. */
  public void logLinesStored(int lines) {
    logLines("stored").increment(lines);
  }

  /** Log lines dropped because the report buffer was full while the database was away. */
  public void logLinesDropped(long lines) {
    logLines("dropped").increment(lines);
  }

  private Counter logLines(String outcome) {
    return Counter.builder("gantry.log.lines")
        .description("Run log lines the agent stored or dropped")
        .tags("kind", kind, "outcome", outcome)
        .register(registry);
  }
}
