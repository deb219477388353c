package dev.gantry.domain;

import java.time.Instant;
import java.util.Set;

/**
 * An agent as recorded in the backend: one row per agent process, renewed by its heartbeat.
 *
 * @param kind the launcher kind: {@code local}, {@code docker}, {@code kubernetes}
 * @param stoppedAt when it stopped gracefully, or null while it runs (or died)
 */
public record AgentInfo(
    String id,
    String name,
    String kind,
    String host,
    Set<String> labels,
    int maxConcurrent,
    int running,
    Instant startedAt,
    Instant heartbeatAt,
    Instant stoppedAt) {

  public AgentInfo {
    labels = Set.copyOf(labels);
  }
}
