package dev.gantry.flow.run;

import dev.gantry.flow.TaskState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every task state change, in the order they were reported. */
final class RecordingListener implements TaskStateListener {
  private final List<TaskStateChange> changes = new CopyOnWriteArrayList<>();

  @Override
  public void onChange(TaskStateChange change) {
    changes.add(change);
  }

  List<TaskStateChange> changes() {
    return List.copyOf(changes);
  }

  List<TaskStateChange> changesOf(String task) {
    return changes.stream().filter(change -> change.task().equals(task)).toList();
  }

  List<TaskState> statesOf(String task) {
    return changesOf(task).stream().map(TaskStateChange::state).toList();
  }

  /** The latest state reported for the task, or null when none was. */
  TaskState currentStateOf(String task) {
    List<TaskStateChange> ofTask = changesOf(task);
    return ofTask.isEmpty() ? null : ofTask.get(ofTask.size() - 1).state();
  }

  /** Index in the report order of the task's first change to {@code state}, or -1. */
  int indexOf(String task, TaskState state) {
    List<TaskStateChange> all = changes();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).task().equals(task) && all.get(i).state() == state) {
        return i;
      }
    }
    return -1;
  }
}
