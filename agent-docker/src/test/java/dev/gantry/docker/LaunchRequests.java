package dev.gantry.docker;

import dev.gantry.bootstrap.BootstrapSpec;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.LaunchRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Launch requests as the agent makes them, for Docker launcher tests without an engine. */
final class LaunchRequests {
  static final String AGENT_ID = "4f1c2b9e-0000-4000-8000-00000000a9e7";

  private LaunchRequests() {}

  static LaunchRequest request(
      String runId, int attempt, String flow, String image, Map<String, String> secrets) {
    return request(
        runId,
        attempt,
        flow,
        image,
        secrets,
        "s3://gantry-flows/" + flow + ".gantry?region=us-east-1");
  }

  /**
   * As {@link #request(String, int, String, String, Map)}, of a flow stored at {@code location}.
   */
  static LaunchRequest request(
      String runId,
      int attempt,
      String flow,
      String image,
      Map<String, String> secrets,
      String location) {
    Instant now = Instant.now();
    RegisteredFlow registered =
        new RegisteredFlow(
            7,
            flow,
            3,
            BundleFormat.serialized,
            location,
            "ab".repeat(32),
            null,
            image,
            List.of(),
            secrets.keySet(),
            List.of(),
            now);
    FlowRun run =
        new FlowRun(
            runId,
            7,
            flow,
            3,
            RunState.Submitted,
            Set.of(),
            Map.of("rows", "10"),
            attempt,
            AGENT_ID,
            now,
            now,
            now,
            null,
            null,
            null);
    BootstrapSpec spec =
        new BootstrapSpec(
            runId,
            attempt,
            flow,
            3,
            BundleFormat.serialized,
            registered.location(),
            registered.digest(),
            null,
            run.parameters(),
            secrets.keySet());
    Map<String, String> env = new LinkedHashMap<>(spec.toEnvironment());
    secrets.forEach((name, value) -> env.put(BootstrapSpec.SECRET_PREFIX + name, value));
    return new LaunchRequest(run, registered, env, image, AGENT_ID);
  }
}
