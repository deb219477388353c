package dev.gantry.schedule;

import dev.gantry.backend.Backend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunParameters;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import java.time.Instant;
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
 */
final class ScheduledRunJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(ScheduledRunJob.class);

  private final Backend backend;

  ScheduledRunJob(Backend backend) {
    this.backend = backend;
  }

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    String flowName = context.getJobDetail().getKey().getName();
    Instant fireAt = context.getScheduledFireTime().toInstant();
    try {
      Optional<ScheduledFlow> scheduled =
          backend.flows().scheduled().stream().filter(f -> f.name().equals(flowName)).findFirst();
      if (scheduled.isEmpty()) {
        log.info(
            "flow '{}' has no schedule any more; its fire at {} creates no run", flowName, fireAt);
        return;
      }
      if (scheduled.get().paused()) {
        log.info(
            "the schedule of flow '{}' is paused; its fire at {} creates no run", flowName, fireAt);
        return;
      }
      RegisteredFlow flow = backend.flows().find(scheduled.get().flowId()).orElseThrow();
      Map<String, String> parameters = RunParameters.validate(flow, Map.of());
      Optional<FlowRun> run =
          backend
              .runs()
              .createForScheduleFire(new NewRun(flow.id(), flow.labelSet(), parameters, fireAt));
      if (run.isPresent()) {
        log.info(
            "schedule of flow '{}' v{} fired for {}: run {}",
            flowName,
            flow.version(),
            fireAt,
            run.get().id());
      } else {
        log.debug("schedule of flow '{}': the fire at {} already has its run", flowName, fireAt);
      }
    } catch (RuntimeException e) {
      log.warn(
          "schedule of flow '{}': the fire at {} created no run: {}",
          flowName,
          fireAt,
          e.toString());
      throw new JobExecutionException(
          "schedule of flow '" + flowName + "': the fire at " + fireAt + " created no run", e);
    }
  }
}
