package dev.gantry.protocol;

import dev.gantry.flow.TaskState;
import java.time.Instant;

/**
 * {@code task}: a task of the flow changed state in one of its attempts.
 *
 * @param task the task's name; "" when the line had none
 * @param state a {@link TaskState} name as written; "" when the line had none
 * @param attempt the task's attempt (1, 2, …); 0 when the line had none
 * @param message why, for failures; may be null
 */
public record TaskEvent(Instant at, String task, String state, int attempt, String message)
    implements ProtocolEvent {

  /** The state, or null when the line named none Gantry knows. */
  public TaskState knownState() {
    try {
      return TaskState.valueOf(state);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
