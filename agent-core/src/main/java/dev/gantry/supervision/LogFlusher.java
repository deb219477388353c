package dev.gantry.supervision;

/**
 * The log flusher: writes what every supervised run reported and the database has not taken yet
 * (batched log lines, and everything while the database was away). It stops at the first run the
 * database does not take: the others would wait for the same connection timeout.
 */
public final class LogFlusher implements AgentTask {
  private final SupervisedRuns supervised;

  public LogFlusher(SupervisedRuns supervised) {
    this.supervised = supervised;
  }

  @Override
  public String name() {
    return "log flusher";
  }

  @Override
  public void runOnce() {
    for (SupervisedRun run : supervised.active()) {
      if (!run.reporter().flush()) {
        return;
      }
    }
  }
}
