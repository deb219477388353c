package dev.gantry.client;

import dev.gantry.backend.BundleStore;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.Registration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The application API: the operations users perform on Gantry — register flows, create, cancel,
 * inspect and explain runs, list flows, runs and agents, read logs, set secrets, pause and resume
 * schedules. It speaks domain values, never text for a terminal. It has two modes: {@link
 * DatabaseGantryClient} talks to the backend database directly, and the server module's API client
 * talks to {@code gantry server} over HTTP with a token; the CLI uses whichever it is given.
 *
 * <pre>{@code
 * try (GantryClient gantry = GantryClient.open(GantryHome.resolve(null), null)) {
 *   RegisteredFlow etl = gantry.register(Registration.of(Path.of("etl.jar"), "com.acme.Flows#etl"));
 *   FlowRun run = gantry.createRun("etl", Map.of("rows", "10"), Set.of());
 * }
 * }</pre>
 */
public interface GantryClient extends AutoCloseable {

  /** Opens the backend at {@code databaseUrl} (null: GANTRY_DB_URL or the embedded one). */
  static DatabaseGantryClient open(GantryHome home, String databaseUrl) {
    return DatabaseGantryClient.open(home, databaseUrl);
  }

  /** Builds, stores and records a new version of a flow. */
  RegisteredFlow register(Registration registration);

  /**
   * Creates a run of the newest version of a flow, due now.
   *
   * @param extraLabels labels added to the flow's for this run
   * @throws UnknownFlowException when no flow has that name
   * @throws dev.gantry.flow.ParameterException when a parameter is unknown, missing or malformed
   */
  FlowRun createRun(String flowName, Map<String, String> parameters, Set<String> extraLabels);

  /**
   * Creates {@code count} runs of one version of a flow, due now, in this one call: the flow is
   * read and the parameters checked once.
   *
   * @param version the flow version, or null for the newest
   * @throws UnknownFlowException when no flow has that name (or that version)
   */
  List<FlowRun> createRuns(
      String flowName,
      Integer version,
      Map<String, String> parameters,
      Set<String> extraLabels,
      int count);

  /**
   * One version of a flow.
   *
   * @throws UnknownFlowException when the flow or the version does not exist
   */
  RegisteredFlow flowVersion(String flowName, int version);

  /** Every version of a flow, newest first. */
  List<RegisteredFlow> versions(String flowName);

  /** Every version of every flow: by name, newest version first. */
  List<RegisteredFlow> allVersions();

  /**
   * The newest version of a flow.
   *
   * @throws UnknownFlowException when no flow has that name
   */
  RegisteredFlow flow(String flowName);

  /**
   * The run with this id or unique id prefix.
   *
   * @throws UnknownRunException when none has it
   */
  FlowRun run(String idOrPrefix);

  /** The newest version of every registered flow. */
  List<RegisteredFlow> flows();

  /** The flow version with this id, if any. */
  Optional<RegisteredFlow> flowVersion(long flowId);

  /**
   * The warning to show after registering a flow that no live agent could run, if any: the labels
   * the closest agents lack.
   */
  Optional<String> coverageWarning(RegisteredFlow flow);

  /** The flows that have a schedule. */
  List<ScheduledFlow> schedules();

  /**
   * Pauses or resumes a flow's schedule.
   *
   * @throws UnknownFlowException when no flow has that name
   * @throws NoScheduleException when the flow has no schedule
   */
  void pauseSchedule(String flowName, boolean paused);

  /** Runs newest first, of one flow (null: all) in the given states (empty: any). */
  List<FlowRun> runs(String flowName, Set<RunState> states, int limit);

  /** A page of runs, newest first, matching the filter, after the cursor (null: the first). */
  RunSearch.RunPage searchRuns(RunSearch.RunFilter filter, RunSearch.RunCursor after, int limit);

  /** Runs changed at or after {@code since}, oldest change first (see {@link RunSearch}). */
  List<FlowRun> runsChangedSince(Instant since, int limit);

  /** A run's state changes, oldest first. */
  List<StateChange> history(String runId);

  /** The task runs a run has reported. */
  List<TaskRun> tasks(String runId);

  /** Up to {@code limit} of a run's log records after the record with id {@code afterId}. */
  List<LogRecord> logs(String runId, long afterId, int limit);

  /** Why the run is not running yet (or that it is), from the agents alive now. */
  RunDiagnosis explain(String idOrPrefix, Duration staleAfter);

  /** Requests a cancel and returns the run's state after it. */
  RunState cancel(String idOrPrefix);

  /** Every agent that has started, alive or not. */
  List<AgentInfo> agents();

  /**
   * Encrypts and stores a secret.
   *
   * @throws IllegalArgumentException when the name or value is not allowed
   */
  void setSecret(String name, String value);

  /** The secrets' names and when they were set, never values. */
  List<SecretSummary> secrets();

  /**
   * Deletes a secret.
   *
   * @throws UnknownSecretException when no secret has that name
   */
  void deleteSecret(String name);

  @Override
  void close();

  /** No flow has the name. */
  final class UnknownFlowException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownFlowException(String name) {
      super("no flow named '" + name + "' is registered; see `gantry flow list`");
    }

    UnknownFlowException(String name, String message) {
      super(message);
    }
  }

  /** No run has the id. */
  final class UnknownRunException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownRunException(String id) {
      super("no run with id '" + id + "'; see `gantry run list`");
    }
  }

  /** The flow has no schedule to pause or resume. */
  final class NoScheduleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NoScheduleException(String flowName) {
      super(
          "flow '"
              + flowName
              + "' has no schedule; register it with --cron EXPR or --interval DURATION");
    }
  }

  /** No secret has the name. */
  final class UnknownSecretException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownSecretException(String name) {
      super("no secret named '" + name + "'; see `gantry secret list`");
    }
  }

  /**
   * Replaces the source bundle of a flow's newest version in place and records the push: the
   * version's next run uses the new bundle, with no new version ({@code gantry flow push}).
   *
   * @throws UnknownFlowException when no flow has that name
   * @throws dev.gantry.registration.RegistrationException with one line when the version's bundle
   *     cannot be replaced, the jars build another flow or do not load, or the storage fails
   */
  BundleStore.BundlePush push(BundlePushRequest request);

  /** The pushes to every version of a flow, newest first. */
  List<BundleStore.BundlePush> pushes(String flowName);

  /**
   * Which bundle the run's current attempt ran, once its bootstrap reported it.
   *
   * @throws UnknownRunException when no run has the id
   */
  Optional<RunProvenance> provenance(String runIdOrPrefix);
}
