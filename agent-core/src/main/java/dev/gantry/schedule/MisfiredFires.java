package dev.gantry.schedule;

import dev.gantry.metrics.ScheduleMeters;
import dev.gantry.metrics.ScheduleMeters.Result;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.Trigger.CompletedExecutionInstruction;
import org.quartz.TriggerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the fires Quartz gave up because no scheduler ran when they were due (misfires): the
 * schedule fires once at once instead (see {@link FlowScheduler}), so the missed ones count as
 * skipped and leave a warning naming the flow.
 */
final class MisfiredFires implements TriggerListener {
  private static final Logger log = LoggerFactory.getLogger(MisfiredFires.class);

  private final ScheduleMeters meters;

  MisfiredFires(ScheduleMeters meters) {
    this.meters = meters;
  }

  @Override
  public String getName() {
    return "gantry-misfired-fires";
  }

  @Override
  public void triggerMisfired(Trigger trigger) {
    meters.fired(Result.SKIPPED);
    log.warn(
        "schedule of flow '{}': the fire due at {} was missed (no scheduler ran then); it fires"
            + " once now instead",
        trigger.getKey().getName(),
        trigger.getNextFireTime() == null ? "?" : trigger.getNextFireTime().toInstant());
  }

  @Override
  public void triggerFired(Trigger trigger, JobExecutionContext context) {}

  @Override
  public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
    return false;
  }

  @Override
  public void triggerComplete(
      Trigger trigger, JobExecutionContext context, CompletedExecutionInstruction instruction) {}
}
