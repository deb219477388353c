package dev.gantry.domain;

import dev.gantry.flow.TaskState;
import java.time.Instant;

/** A task state reported by the bootstrap, to be recorded for a run. */
public record TaskStateUpdate(
    String taskName, TaskState state, int taskAttempt, Instant at, String message) {}
