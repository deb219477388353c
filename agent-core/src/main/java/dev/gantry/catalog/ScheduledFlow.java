package dev.gantry.catalog;

import java.util.Objects;

/**
 * The newest version of a flow that has a schedule, and whether the schedule is paused.
 *
 * @param flowId the id of that version: the runs its schedule creates are of this version
 */
public record ScheduledFlow(
    String name, long flowId, int version, FlowSchedule schedule, boolean paused) {
  public ScheduledFlow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schedule, "schedule");
  }
}
