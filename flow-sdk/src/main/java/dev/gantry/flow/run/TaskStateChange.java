package dev.gantry.flow.run;

import dev.gantry.flow.TaskState;
import java.time.Instant;

/**
 * A task moved to a new state.
 *
 * @param attempt 1 for the first attempt, 2 for the first retry...
 * @param message why, for RETRYING/FAILED/TIMED_OUT/UPSTREAM_FAILED (one line), else null
 */
public record TaskStateChange(
    String task, TaskState state, int attempt, Instant at, String message) {}
