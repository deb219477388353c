package dev.gantry.domain;

import java.time.Instant;

/** One entry of a run's state history. */
public record StateChange(
    String runId, RunState state, int attempt, String agentId, Instant at, String message) {}
