package dev.gantry.flow;

/**
 * The task and attempt the current thread is running, for task code that wants to know:
 *
 * <pre>{@code
 * flow.task("upload", () -> {
 *   if (TaskContext.currentAttempt() > 1) {
 *     cleanUpPartialUpload();
 *   }
 *   return upload();
 * });
 * }</pre>
 *
 * Set while a task body runs (by {@link Task#invoke(java.util.List, int)}), on the thread that runs
 * it; threads the body starts itself do not inherit it.
 */
public final class TaskContext {
  private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

  private TaskContext() {}

  /** The name of the task whose body is running on this thread, or null outside a task. */
  public static String currentTask() {
    Frame frame = CURRENT.get();
    return frame == null ? null : frame.task();
  }

  /** The attempt of that task (1 for the first, 2 for the first retry...), or 0 outside a task. */
  public static int currentAttempt() {
    Frame frame = CURRENT.get();
    return frame == null ? 0 : frame.attempt();
  }

  /** Makes {@code task} and {@code attempt} current; returns what was current before. */
  static Frame enter(String task, int attempt) {
    Frame previous = CURRENT.get();
    CURRENT.set(new Frame(task, attempt));
    return previous;
  }

  /** Restores what {@link #enter} returned (null when no task was running). */
  static void restore(Frame previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  record Frame(String task, int attempt) {}
}
