package dev.gantry.flow;

/** The states of one task within a flow run. */
public enum TaskState {
  /** Waiting for its inputs. */
  PENDING,
  /** An attempt is running. */
  RUNNING,
  /** An attempt failed and another one will start after the retry delay. */
  RETRYING,
  SUCCESS,
  FAILED,
  /** The last attempt ran longer than the task's timeout. */
  TIMED_OUT,
  /** Not run because an input task did not succeed. */
  UPSTREAM_FAILED,
  /** Not run, or interrupted, because the flow run was cancelled. */
  CANCELLED;

  public boolean isFinal() {
    return this != PENDING && this != RUNNING && this != RETRYING;
  }
}
