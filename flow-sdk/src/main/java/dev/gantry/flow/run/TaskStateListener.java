package dev.gantry.flow.run;

/** Receives every task state change of a flow run, possibly from several threads at once. */
@FunctionalInterface
public interface TaskStateListener {
  void onChange(TaskStateChange change);

  TaskStateListener NONE = change -> {};
}
