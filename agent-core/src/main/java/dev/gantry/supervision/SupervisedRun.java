package dev.gantry.supervision;

import dev.gantry.domain.FlowRun;

/** A run an agent supervises: one attempt, under the fence of {@link #run()}. */
public final class SupervisedRun {
  private final FlowRun run;
  private final RunReporter reporter;
  private volatile boolean cancelSent;
  private boolean endLogged;

  public SupervisedRun(FlowRun run, RunReporter reporter) {
    this.run = run;
    this.reporter = reporter;
  }

  public FlowRun run() {
    return run;
  }

  public String id() {
    return run.id();
  }

  public RunReporter reporter() {
    return reporter;
  }

  /** Marks that the run's cancel was passed to the launcher; true the first time only. */
  synchronized boolean markCancelSent() {
    if (cancelSent) {
      return false;
    }
    cancelSent = true;
    return true;
  }

  /** Marks that the agent's line about the run's end was written; true the first time only. */
  synchronized boolean markEndLogged() {
    if (endLogged) {
      return false;
    }
    endLogged = true;
    return true;
  }
}
