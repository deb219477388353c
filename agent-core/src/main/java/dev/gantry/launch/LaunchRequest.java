package dev.gantry.launch;

import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import java.util.Map;
import java.util.Objects;

/**
 * What a launcher needs to start one attempt of a run.
 *
 * @param environment the bootstrap's environment: the variables of {@link
 *     dev.gantry.bootstrap.BootstrapSpec#toEnvironment()} plus the run's secret values. Contains
 *     secret values: never log it, never put it in a spec that others can read.
 * @param image the image the flow's environment names, or null for the launcher's default
 * @param agentId the agent launching it, for the labels on the infrastructure
 */
public record LaunchRequest(
    FlowRun run,
    RegisteredFlow flow,
    Map<String, String> environment,
    String image,
    String agentId) {

  public LaunchRequest {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(flow, "flow");
    environment = Map.copyOf(environment);
    Objects.requireNonNull(agentId, "agentId");
  }

  public String runId() {
    return run.id();
  }

  @Override
  public String toString() {
    // Never print the environment: it holds secret values.
    return "LaunchRequest[run "
        + run.id()
        + " attempt "
        + run.attempt()
        + ", flow "
        + flow.name()
        + " v"
        + flow.version()
        + ", image "
        + image
        + "]";
  }
}
