package dev.gantry.flow.run;

import java.util.List;

/** The runner's task threads alive in this JVM. */
final class TaskThreads {
  private TaskThreads() {}

  static List<Thread> alive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith("gantry-task-") && thread.isAlive())
        .toList();
  }
}
