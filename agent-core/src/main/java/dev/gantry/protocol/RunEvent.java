package dev.gantry.protocol;

import java.time.Instant;

/**
 * {@code run}: the run's state as the bootstrap sees it ({@code Running} once it started).
 *
 * @param state {@code Running}; "" when the line had none
 */
public record RunEvent(Instant at, String state) implements ProtocolEvent {
  public static final String RUNNING = "Running";

  public boolean running() {
    return RUNNING.equals(state);
  }
}
