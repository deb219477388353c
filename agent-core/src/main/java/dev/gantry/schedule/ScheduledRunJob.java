package dev.gantry.schedule;

import dev.gantry.backend.Backend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunParameters;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.flow.ParameterException;
import dev.gantry.metrics.ScheduleMeters;
import dev.gantry.metrics.ScheduleMeters.Result;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fire of a flow's schedule: creates the run of the flow's newest version for that fire, due at
 * the fire's scheduled time. The store creates at most one run per fire, so a fire executed twice
 * (recovered after a scheduler died, or fired by two schedulers) still makes one run.
 *
 * <p>Every fire is counted by its result ({@link ScheduleMeters}). A fire that fails to create its
 * run is recorded on the schedule with its reason ({@link dev.gantry.backend.ScheduleFireStore}),
 * where the API and the UI show it, until a later fire creates its run.
 */
final class ScheduledRunJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(ScheduledRunJob.class);

  private final Backend backend;
  private final ScheduleMeters meters;

  ScheduledRunJob(Backend backend, ScheduleMeters meters) {
    this.backend = backend;
    this.meters = meters;
  }

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    String flowName = context.getJobDetail().getKey().getName();
    Instant fireAt = context.getScheduledFireTime().toInstant();
    Result result;
    try {
      result = fire(flowName, fireAt);
    } catch (RuntimeException e) {
      meters.fired(Result.FAILED);
      String reason = reasonOf(e);
      log.warn(
          "schedule of flow '{}': the fire at {} created no run: {}", flowName, fireAt, reason);
      remember(flowName, fireAt, reason);
      throw new JobExecutionException(
          "schedule of flow '" + flowName + "': the fire at " + fireAt + " created no run", e);
    }
    meters.fired(result);
    if (result == Result.CREATED) {
      try {
        backend.scheduleFires().succeeded(flowName, fireAt);
      } catch (RuntimeException e) {
        log.warn(
            "schedule of flow '{}': cannot clear its last failed fire: {}", flowName, e.toString());
      }
    }
  }

  private Result fire(String flowName, Instant fireAt) {
    Optional<ScheduledFlow> scheduled =
        backend.flows().scheduled().stream().filter(f -> f.name().equals(flowName)).findFirst();
    if (scheduled.isEmpty()) {
      log.info(
          "flow '{}' has no schedule any more; its fire at {} creates no run", flowName, fireAt);
      return Result.SKIPPED;
    }
    if (scheduled.get().paused()) {
      log.info(
          "the schedule of flow '{}' is paused; its fire at {} creates no run", flowName, fireAt);
      return Result.SKIPPED;
    }
    ScheduledFlow version = scheduled.get();
    RegisteredFlow flow =
        backend
            .flows()
            .find(version.flowId())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "version "
                            + version.version()
                            + " of flow '"
                            + flowName
                            + "' is gone from the database; register the flow again"));
    refuseParametersWithoutDefault(flow);
    Map<String, String> parameters = RunParameters.validate(flow, Map.of());
    Optional<FlowRun> run =
        backend
            .runs()
            .createForScheduleFire(new NewRun(flow.id(), flow.labelSet(), parameters, fireAt));
    if (run.isEmpty()) {
      log.debug("schedule of flow '{}': the fire at {} already has its run", flowName, fireAt);
      return Result.SKIPPED;
    }
    log.info(
        "schedule of flow '{}' v{} fired for {}: run {}",
        flowName,
        flow.version(),
        fireAt,
        run.get().id());
    return Result.CREATED;
  }

  /**
   * A scheduled run passes no parameters: a version with a required parameter without a default
   * (registered before registration refused that) cannot have scheduled runs.
   */
  private static void refuseParametersWithoutDefault(RegisteredFlow flow) {
    List<String> missing =
        flow.parameters().stream()
            .filter(p -> p.required() && p.defaultValue() == null)
            .map(p -> "'" + p.name() + "' (" + p.type() + ")")
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "flow '"
              + flow.name()
              + "' v"
              + flow.version()
              + (missing.size() == 1 ? " needs parameter " : " needs parameters ")
              + String.join(", ", missing)
              + " without a default, and a scheduled run passes no parameters; register the flow"
              + " with a default for "
              + (missing.size() == 1 ? "it" : "them"));
    }
  }

  /** Records the failure on the schedule; when the database is away, the log line is all. */
  private void remember(String flowName, Instant fireAt, String reason) {
    try {
      backend.scheduleFires().failed(flowName, fireAt, reason);
    } catch (RuntimeException e) {
      log.warn(
          "schedule of flow '{}': cannot record its failed fire at {}: {}",
          flowName,
          fireAt,
          e.toString());
    }
  }

  private static String reasonOf(RuntimeException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    if (e instanceof ParameterException) {
      return "a scheduled run of the flow was refused: " + message;
    }
    return message;
  }
}
