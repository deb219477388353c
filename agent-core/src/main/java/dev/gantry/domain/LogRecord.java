package dev.gantry.domain;

import java.time.Instant;

/**
 * One log line of a run.
 *
 * @param id increasing per store, 0 before it is stored; used to follow logs
 * @param source the logger name, or {@code stdout}/{@code stderr} for plain output lines, or {@code
 *     agent} for lines the agent writes about the run
 * @param taskName the task that logged it, or null
 */
public record LogRecord(
    long id,
    String runId,
    Instant at,
    String level,
    String source,
    String taskName,
    String message) {}
