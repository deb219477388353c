package dev.gantry.supervision;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.Launcher;
import java.time.Duration;
import java.util.List;

/**
 * The cancel watch: stops the infrastructure of this agent's runs whose cancel was requested, and
 * ends Cancelled those it does not supervise. Runs on its interval and on each cancel signal.
 */
public final class CancelWatch implements AgentTask {
  private final RunStore runs;
  private final SupervisedRuns supervised;
  private final Launcher launcher;
  private final String agentId;
  private final Duration cancelGrace;
  private final Object passLock = new Object();

  /**
   * @param cancelGrace how long a cancelled run may take to stop before it is killed
   */
  public CancelWatch(
      RunStore runs,
      SupervisedRuns supervised,
      Launcher launcher,
      String agentId,
      Duration cancelGrace) {
    this.runs = runs;
    this.supervised = supervised;
    this.launcher = launcher;
    this.agentId = agentId;
    this.cancelGrace = cancelGrace;
  }

  @Override
  public String name() {
    return "cancel watch";
  }

  @Override
  public void runOnce() {
    synchronized (passLock) {
      for (FlowRun run : runs.runsOfAgent(agentId, List.of(RunState.Cancelling))) {
        if (supervised.isLaunching(run.id())) {
          continue; // its infrastructure is being created: stopped on the next pass
        }
        SupervisedRun active = supervised.get(run.id());
        if (active == null) {
          runs.transition(run.fence(), RunState.Cancelled, "cancelled by request");
        } else if (active.markCancelSent()) {
          active.reporter().agentLog("INFO", "cancel requested; stopping the run");
          launcher.cancel(run.id(), cancelGrace);
        }
      }
    }
  }
}
