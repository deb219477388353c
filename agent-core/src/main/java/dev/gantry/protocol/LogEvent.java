package dev.gantry.protocol;

import java.time.Instant;

/**
 * {@code log}: a log record of the flow, of Gantry in the bootstrap, or a line the flow printed
 * (logger {@code stdout}/{@code stderr}).
 *
 * @param level {@code INFO} when the line had none
 * @param logger {@code flow} when the line had none
 * @param task the task that logged it, or null
 * @param message "" when the line had none
 */
public record LogEvent(Instant at, String level, String logger, String task, String message)
    implements ProtocolEvent {}
