package dev.gantry.dispatch;

import dev.gantry.backend.FlowStore;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import dev.gantry.supervision.SecretSource;
import dev.gantry.tracing.TraceParent;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a claimed run into a launch request: the bootstrap's environment plus its secrets. */
public final class LaunchPlanner {
  private final FlowStore flows;
  private final SecretSource secrets;
  private final String agentId;

  public LaunchPlanner(FlowStore flows, SecretSource secrets, String agentId) {
    this.flows = flows;
    this.secrets = secrets;
    this.agentId = agentId;
  }

  /** A plan: the request and the secret values it carries (to redact them from output). */
  public record Plan(LaunchRequest request, Map<String, String> secretValues) {}

  public Plan plan(FlowRun run) throws LaunchException {
    RegisteredFlow flow =
        flows
            .find(run.flowId())
            .orElseThrow(
                () ->
                    new LaunchException(
                        "run " + run.id() + ": flow version " + run.flowId() + " no longer exists",
                        RunState.Failed,
                        "FlowMissing",
                        null));
    Map<String, String> secretValues;
    try {
      secretValues = secrets.resolve(flow.secrets());
    } catch (SecretSource.MissingSecretException e) {
      throw new LaunchException(
          "run " + run.id() + " of flow '" + flow.name() + "': " + e.getMessage(),
          RunState.Failed,
          "SecretMissing",
          null);
    } catch (SecretSource.UnreadableSecretException e) {
      throw new LaunchException(
          "run " + run.id() + " of flow '" + flow.name() + "': " + e.getMessage(),
          RunState.Failed,
          "SecretUnreadable",
          null);
    } catch (RuntimeException e) {
      // The secrets could not be looked up (backend unreachable): the platform's failure.
      throw new LaunchException(
          "run "
              + run.id()
              + " of flow '"
              + flow.name()
              + "': its secrets "
              + flow.secrets()
              + " could not be read: "
              + e.getMessage(),
          RunState.Crashed,
          "SecretLookupFailed",
          e);
    }
    BootstrapSpec spec =
        new BootstrapSpec(
            run.id(),
            run.attempt(),
            flow.name(),
            flow.version(),
            flow.format(),
            flow.location(),
            flow.digest(),
            flow.factory(),
            run.parameters(),
            secretValues.keySet());
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    env.put(TraceParent.VARIABLE, TraceParent.forAttempt(run.id(), run.attempt()).header());
    secretValues.forEach((name, value) -> env.put(BootstrapSpec.SECRET_PREFIX + name, value));
    return new Plan(new LaunchRequest(run, flow, env, flow.image(), agentId), secretValues);
  }
}
