package dev.gantry.domain;

import dev.gantry.flow.TaskState;
import java.time.Instant;

/** The latest known state of one task in one attempt of a run. */
public record TaskRun(
    String runId,
    String taskName,
    TaskState state,
    int taskAttempt,
    Instant startedAt,
    Instant endedAt,
    String message) {}
