package dev.gantry.cli;

import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-line summary of a run's tasks that {@code flow run --watch} and {@code run show --follow}
 * redraw on a terminal: {@code 3/7 tasks done · running: extract, load · 00:12}.
 */
final class TaskProgress {
  /** Running tasks named before the rest are counted ("+2 more"). */
  static final int NAMED_RUNNING = 3;

  private TaskProgress() {}

  /**
   * @param tasks the task runs reported so far (every task reports PENDING when its run starts, so
   *     their number is the flow's)
   * @param state the run's state, shown while no task has reported
   * @param elapsed since the run started Running (or was created, before that)
   */
  static String line(List<TaskRun> tasks, RunState state, Duration elapsed) {
    Map<String, TaskRun> latest = new LinkedHashMap<>();
    tasks.forEach(task -> latest.put(task.taskName(), task));
    if (latest.isEmpty()) {
      return state + " · no task has reported yet · " + clock(elapsed);
    }
    int done = 0;
    int failed = 0;
    List<String> running = new ArrayList<>();
    for (TaskRun task : latest.values()) {
      if (task.state().isFinal()) {
        done++;
        if (task.state() == TaskState.FAILED
            || task.state() == TaskState.TIMED_OUT
            || task.state() == TaskState.UPSTREAM_FAILED) {
          failed++;
        }
      } else if (task.state() == TaskState.RUNNING) {
        running.add(task.taskName());
      } else if (task.state() == TaskState.RETRYING) {
        running.add(task.taskName() + " (retrying)");
      }
    }
    StringBuilder line = new StringBuilder();
    line.append(done).append('/').append(latest.size()).append(" tasks done");
    if (failed > 0) {
      line.append(" (").append(failed).append(" failed)");
    }
    if (!running.isEmpty()) {
      line.append(" · running: ")
          .append(String.join(", ", running.subList(0, Math.min(NAMED_RUNNING, running.size()))));
      if (running.size() > NAMED_RUNNING) {
        line.append(" +").append(running.size() - NAMED_RUNNING).append(" more");
      }
    }
    return line.append(" · ").append(clock(elapsed)).toString();
  }

  /** {@code mm:ss}, or {@code h:mm:ss} from an hour on. */
  static String clock(Duration elapsed) {
    long seconds = Math.max(0, elapsed.toSeconds());
    long hours = seconds / 3600;
    String minutesSeconds = String.format("%02d:%02d", seconds / 60 % 60, seconds % 60);
    return hours > 0 ? hours + ":" + minutesSeconds : minutesSeconds;
  }
}
