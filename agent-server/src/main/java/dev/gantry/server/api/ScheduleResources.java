package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import dev.gantry.backend.ScheduleFireStore;
import dev.gantry.backend.ScheduleFireStore.FireFailure;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiRoute;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/**
 * Schedules that failed to fire: the latest fire of each schedule that created no run, with when it
 * was due and one line of why, until a later fire of that schedule creates its run. The overview's
 * problems banner and the flow page read it.
 */
public final class ScheduleResources {
  private final ScheduleFireStore fires;

  public ScheduleResources(ScheduleFireStore fires) {
    this.fires = fires;
  }

  /**
   * A schedule's latest fire that created no run.
   *
   * @param flow the flow whose schedule fired
   * @param fireAt when the fire was due
   * @param reason one line: why it created no run
   */
  public record FireFailureView(String flow, Instant fireAt, String reason) {
    static FireFailureView of(FireFailure failure) {
      return new FireFailureView(failure.flowName(), failure.fireAt(), failure.reason());
    }
  }

  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.read(
            API + "/schedules/failures",
            Role.VIEWER,
            "Schedules whose latest fire created no run: when it was due and why",
            this::failures));
  }

  private void failures(Context ctx) {
    ctx.json(fires.failures().stream().map(FireFailureView::of).toList());
  }
}
