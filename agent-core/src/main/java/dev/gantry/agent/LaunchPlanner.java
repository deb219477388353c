package dev.gantry.agent;

import dev.gantry.backend.FlowStore;
import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchException;
import dev.gantry.launch.LaunchRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a claimed run into a launch request: the bootstrap's environment plus its secrets. */
final class LaunchPlanner {
  private final FlowStore flows;
  private final SecretSource secrets;
  private final String agentId;

  LaunchPlanner(FlowStore flows, SecretSource secrets, String agentId) {
    this.flows = flows;
    this.secrets = secrets;
    this.agentId = agentId;
  }

  /** A plan: the request and the secret values it carries (to redact them from output). */
  record Plan(LaunchRequest request, Map<String, String> secretValues) {}

  Plan plan(FlowRun run) throws LaunchException {
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
    secretValues.forEach((name, value) -> env.put(BootstrapSpec.SECRET_PREFIX + name, value));
    return new Plan(new LaunchRequest(run, flow, env, flow.image(), agentId), secretValues);
  }

  /**
   * The secret values a run of this flow version carries, to redact its output when it is
   * re-attached; empty when they cannot be resolved any more.
   */
  Map<String, String> secretValuesFor(FlowRun run) {
    try {
      return flows.find(run.flowId()).map(flow -> resolveQuietly(flow.secrets())).orElse(Map.of());
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  private Map<String, String> resolveQuietly(java.util.Set<String> names) {
    try {
      return secrets.resolve(names);
    } catch (SecretSource.MissingSecretException e) {
      return Map.of();
    }
  }
}
