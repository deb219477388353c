package dev.gantry.backend;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Schedule fires that failed to create their run, one per flow name: the latest failure, until a
 * later fire of the same schedule creates its run.
 */
public interface ScheduleFireStore {

  /** Longest reason kept; longer ones are cut. */
  int MAX_REASON = 500;

  /**
   * A schedule's latest fire that created no run.
   *
   * @param flowName the flow whose schedule fired
   * @param fireAt when the fire was due
   * @param reason one line: why no run was created
   */
  record FireFailure(String flowName, Instant fireAt, String reason) {
    public FireFailure {
      Objects.requireNonNull(flowName, "flowName");
      Objects.requireNonNull(fireAt, "fireAt");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Records that the fire of {@code flowName}'s schedule due at {@code fireAt} created no run. An
   * older fire's failure never replaces a newer one.
   */
  void failed(String flowName, Instant fireAt, String reason);

  /**
   * Records that the fire due at {@code fireAt} created its run (or already had it): clears a
   * failure of that fire or an earlier one.
   */
  void succeeded(String flowName, Instant fireAt);

  /**
   * The latest failed fire of each flow whose newest version still has a schedule, by flow name;
   * failures of schedules since removed are not listed.
   */
  List<FireFailure> failures();
}
