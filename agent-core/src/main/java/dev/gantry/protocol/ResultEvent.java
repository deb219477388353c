package dev.gantry.protocol;

import java.time.Instant;

/**
 * {@code result}: how the run ended, as the bootstrap saw it; the last event of a run.
 *
 * @param state {@code Success}, {@code Failed}, {@code Cancelled} or {@code Crashed}; "" when the
 *     line had none
 * @param message why, or null
 */
public record ResultEvent(Instant at, String state, String message) implements ProtocolEvent {}
