package dev.gantry.backend;

import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.ScheduledFlow;
import java.util.List;
import java.util.Optional;

/** Registered flows, versioned per name: each registration of a name adds version n+1. */
public interface FlowStore {

  /** Records a new version of the named flow and returns it. */
  RegisteredFlow register(NewFlowVersion flow);

  /** The newest version of the named flow. */
  Optional<RegisteredFlow> latest(String name);

  Optional<RegisteredFlow> find(long flowId);

  /** The newest version of every flow, ordered by name. */
  List<RegisteredFlow> listLatest();

  /** The newest version of every flow that has a schedule, ordered by name, paused or not. */
  List<ScheduledFlow> scheduled();

  /**
   * Pauses or resumes the schedule of the named flow. A pause outlives new registrations of the
   * name until it is resumed.
   *
   * @return false when the newest version of the flow has no schedule (or no flow has the name)
   */
  boolean pauseSchedule(String name, boolean paused);
}
