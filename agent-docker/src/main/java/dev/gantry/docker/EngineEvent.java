package dev.gantry.docker;

import com.github.dockerjava.api.model.Event;
import java.util.Optional;

/**
 * One container event of the engine as the supervisor reads it: which container, what happened
 * ({@code die}, {@code oom}, {@code destroy}), and the exit code a {@code die} carries.
 */
record EngineEvent(String containerId, String action, Integer exitCode) {

  /** The event's container and action; empty when the engine left either out. */
  static Optional<EngineEvent> of(Event event) {
    String action = event.getAction() != null ? event.getAction() : event.getStatus();
    if (event.getId() == null || action == null) {
      return Optional.empty();
    }
    return Optional.of(new EngineEvent(event.getId(), action, exitCodeOf(event)));
  }

  private static Integer exitCodeOf(Event event) {
    if (event.getActor() == null || event.getActor().getAttributes() == null) {
      return null;
    }
    String code = event.getActor().getAttributes().get("exitCode");
    try {
      return code == null ? null : Integer.valueOf(code);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
