package dev.gantry.supervision;

/** The log flusher: writes the batched log lines of every supervised run. */
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
    supervised.active().forEach(run -> run.reporter().flush());
  }
}
