package dev.gantry.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How an agent behaves; validated when built.
 *
 * @param name a readable name (defaults to kind@host)
 * @param labels the agent takes runs whose labels are all among these
 * @param maxConcurrent the most runs it supervises at once; it claims only for free slots
 * @param pollInterval the wait between polls when idle
 * @param maxBackoff the longest wait after repeated backend errors
 * @param heartbeatInterval how often it renews its heartbeat row and the leases of its runs
 * @param orphanTimeout the lease it takes on each run it holds, renewed every heartbeat: a run
 *     whose lease expired counts as orphaned and is adopted by another agent (also how often this
 *     agent reconciles its infrastructure with its runs; it looks for orphans twice as often)
 * @param gracePeriod on stop, how long running runs may take to finish before they are stopped
 * @param cancelGrace how long a cancelled run may take to stop before it is killed
 */
public record AgentOptions(
    String name,
    Set<String> labels,
    int maxConcurrent,
    Duration pollInterval,
    Duration maxBackoff,
    Duration heartbeatInterval,
    Duration orphanTimeout,
    Duration gracePeriod,
    Duration cancelGrace) {

  public AgentOptions {
    Objects.requireNonNull(name, "name");
    labels = Set.copyOf(labels);
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("--max-concurrent must be at least 1");
    }
    positive("poll interval", pollInterval);
    positive("max backoff", maxBackoff);
    positive("heartbeat interval", heartbeatInterval);
    positive("orphan timeout", orphanTimeout);
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    Objects.requireNonNull(cancelGrace, "cancelGrace");
    if (orphanTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "the orphan timeout must be at least twice the heartbeat interval");
    }
  }

  public static AgentOptions defaults(String name, Set<String> labels) {
    return new AgentOptions(
        name,
        labels,
        4,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10));
  }

  public AgentOptions withMaxConcurrent(int value) {
    return new AgentOptions(
        name,
        labels,
        value,
        pollInterval,
        maxBackoff,
        heartbeatInterval,
        orphanTimeout,
        gracePeriod,
        cancelGrace);
  }

  public AgentOptions withPollInterval(Duration value) {
    return new AgentOptions(
        name,
        labels,
        maxConcurrent,
        value,
        maxBackoff,
        heartbeatInterval,
        orphanTimeout,
        gracePeriod,
        cancelGrace);
  }

  public AgentOptions withHeartbeat(Duration interval, Duration orphanAfter) {
    return new AgentOptions(
        name,
        labels,
        maxConcurrent,
        pollInterval,
        maxBackoff,
        interval,
        orphanAfter,
        gracePeriod,
        cancelGrace);
  }

  public AgentOptions withGracePeriod(Duration value) {
    return new AgentOptions(
        name,
        labels,
        maxConcurrent,
        pollInterval,
        maxBackoff,
        heartbeatInterval,
        orphanTimeout,
        value,
        cancelGrace);
  }

  public AgentOptions withCancelGrace(Duration value) {
    return new AgentOptions(
        name,
        labels,
        maxConcurrent,
        pollInterval,
        maxBackoff,
        heartbeatInterval,
        orphanTimeout,
        gracePeriod,
        value);
  }

  private static void positive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("the " + what + " must be positive");
    }
  }
}
