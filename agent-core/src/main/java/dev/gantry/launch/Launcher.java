package dev.gantry.launch;

import dev.gantry.catalog.RunConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs the bootstrap of a flow run somewhere: a child JVM, a container, a Kubernetes Job. The agent
 * owns the run's state; a launcher only creates, watches, finds and stops infrastructure.
 * Implementations are found with {@link java.util.ServiceLoader} through {@link LauncherProvider}.
 */
public interface Launcher extends AutoCloseable {

  /** The kind of infrastructure: {@code local}, {@code docker}, {@code kubernetes}. */
  String kind();

  /**
   * Starts the run's infrastructure and returns once it exists. Every output line of the run goes
   * to {@code output} (docs/bootstrap-protocol.md), from a thread of the launcher's choosing.
   *
   * @throws LaunchException when the infrastructure cannot be created; its message names the run
   *     and the image, secret or resource at fault
   */
  RunExecution launch(LaunchRequest request, OutputSink output) throws LaunchException;

  /**
   * Finds infrastructure of a run that this kind of launcher created (to re-attach after an agent
   * restart or to adopt a dead agent's run), and attaches {@code output} to it.
   *
   * @param outputSince deliver only output written after this instant (what the backend already
   *     holds is not delivered again); null for all of it
   * @return empty when no infrastructure of that run attempt exists
   */
  Optional<RunExecution> find(String runId, int attempt, Instant outputSince, OutputSink output);

  /**
   * Lists the run infrastructure of this launcher's kind that exists now (running or exited but not
   * yet removed), as found by its labels. The agent adopts or cleans up what it finds.
   */
  List<Infrastructure> discover();

  /**
   * Stops a run's infrastructure: asks it to stop, and kills it after {@code grace}. Returns at
   * once; the run's {@link RunExecution#exit()} completes when it is gone.
   */
  void cancel(String runId, Duration grace);

  /**
   * Removes infrastructure the agent's reconciliation found left over: its run is finished or
   * cancelled, or it belongs to an older attempt of its run. Stops it first if it still runs. Must
   * tolerate infrastructure that is already gone. The default does nothing (for launchers whose
   * infrastructure removes itself).
   */
  default void remove(Infrastructure infrastructure) {}

  /**
   * Called once when the agent starts, before the first launch: connect to the platform, start
   * watches, warm up. The default does nothing.
   */
  default void prepare() {}

  /**
   * Whether a run's infrastructure keeps running without its agent (containers, Jobs) so that the
   * next agent can adopt it. Then an agent that stops leaves runs still going after its grace
   * period to be adopted, instead of stopping them. Child JVMs do not outlive their agent.
   */
  default boolean infrastructureOutlivesAgent() {
    return false;
  }

  /**
   * What a run asks of this launcher's platform, for the agent's policy: the flow version's run
   * settings, plus what its own templates imply (a Kubernetes job template asking for a privileged
   * container). The default is the run settings.
   */
  default RunConfig asked(LaunchRequest request) {
    return request.flow().runConfig();
  }

  /** Whether the launcher's platform (Docker engine, API server) answers now. */
  default boolean isPlatformReachable() {
    return true;
  }

  @Override
  void close();
}
