package dev.gantry.supervision;

import dev.gantry.backend.FlowStore;
import dev.gantry.domain.FlowRun;
import java.util.Map;
import java.util.Set;

/** The secret values a supervised run carries, to redact its output when it is re-attached. */
public final class RunSecrets {
  private final FlowStore flows;
  private final SecretSource secrets;

  public RunSecrets(FlowStore flows, SecretSource secrets) {
    this.flows = flows;
    this.secrets = secrets;
  }

  /** The secret values of the run's flow version; empty when they cannot be resolved any more. */
  public Map<String, String> valuesFor(FlowRun run) {
    try {
      return flows.find(run.flowId()).map(flow -> resolveQuietly(flow.secrets())).orElse(Map.of());
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  private Map<String, String> resolveQuietly(Set<String> names) {
    try {
      return secrets.resolve(names);
    } catch (SecretSource.MissingSecretException e) {
      return Map.of();
    }
  }
}
