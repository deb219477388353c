package dev.gantry.client;

import dev.gantry.backend.Backend;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunParameters;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.explain.FlowCoverage;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.MasterKey;
import dev.gantry.secrets.SecretVault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The application API: the operations users perform on Gantry — register flows, create, cancel,
 * inspect and explain runs, list flows, runs and agents, read logs, set secrets, pause and resume
 * schedules. The CLI calls it, and a server can expose it; it speaks domain values, never text for
 * a terminal.
 *
 * <pre>{@code
 * try (GantryClient gantry = GantryClient.open(GantryHome.resolve(null), null)) {
 *   RegisteredFlow etl = gantry.register(Registration.of(Path.of("etl.jar"), "com.acme.Flows#etl"));
 *   FlowRun run = gantry.createRun("etl", Map.of("rows", "10"), Set.of());
 * }
 * }</pre>
 */
public final class GantryClient implements AutoCloseable {
  private final Backend backend;
  private final GantryHome home;
  private final boolean ownsBackend;

  public GantryClient(Backend backend, GantryHome home) {
    this(backend, home, false);
  }

  private GantryClient(Backend backend, GantryHome home, boolean ownsBackend) {
    this.backend = backend;
    this.home = home;
    this.ownsBackend = ownsBackend;
  }

  /** Opens the backend at {@code databaseUrl} (null: GANTRY_DB_URL or the embedded one). */
  public static GantryClient open(GantryHome home, String databaseUrl) {
    return new GantryClient(JdbcBackend.open(home.databaseUrl(databaseUrl)), home, true);
  }

  public Backend backend() {
    return backend;
  }

  public GantryHome home() {
    return home;
  }

  public RegisteredFlow register(Registration registration) {
    return new FlowRegistrar(backend.flows(), home, SecretVault.of(backend, home.dir()))
        .register(registration);
  }

  /**
   * Creates a run of the newest version of a flow, due now.
   *
   * @param extraLabels labels added to the flow's for this run
   * @throws UnknownFlowException when no flow has that name
   * @throws dev.gantry.flow.ParameterException when a parameter is unknown, missing or malformed
   */
  public FlowRun createRun(
      String flowName, Map<String, String> parameters, Set<String> extraLabels) {
    RegisteredFlow flow = flow(flowName);
    Map<String, String> values = RunParameters.validate(flow, parameters);
    Set<String> labels = new LinkedHashSet<>(flow.labelSet());
    labels.addAll(extraLabels);
    return backend.runs().create(new NewRun(flow.id(), labels, values, Instant.now()));
  }

  /**
   * Creates {@code count} runs of one version of a flow, due now, in this one call: the flow is
   * read and the parameters checked once.
   *
   * @param version the flow version, or null for the newest
   * @throws UnknownFlowException when no flow has that name (or that version)
   */
  public List<FlowRun> createRuns(
      String flowName,
      Integer version,
      Map<String, String> parameters,
      Set<String> extraLabels,
      int count) {
    if (count < 1) {
      throw new IllegalArgumentException("a count of runs must be at least 1, not " + count);
    }
    RegisteredFlow flow = version == null ? flow(flowName) : flowVersion(flowName, version);
    Map<String, String> values = RunParameters.validate(flow, parameters);
    Set<String> labels = new LinkedHashSet<>(flow.labelSet());
    labels.addAll(extraLabels);
    List<FlowRun> runs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      runs.add(backend.runs().create(new NewRun(flow.id(), labels, values, Instant.now())));
    }
    return runs;
  }

  /**
   * One version of a flow.
   *
   * @throws UnknownFlowException when the flow or the version does not exist
   */
  public RegisteredFlow flowVersion(String flowName, int version) {
    return versions(flowName).stream()
        .filter(f -> f.version() == version)
        .findFirst()
        .orElseThrow(
            () ->
                new UnknownFlowException(
                    flowName,
                    "flow '"
                        + flowName
                        + "' has no version "
                        + version
                        + "; see `gantry flow list --all-versions`"));
  }

  /**
   * Every version of a flow, newest first. (FlowStore has no query for this yet: versions are found
   * by id, below the newest one's; a {@code FlowStore.versions(name)} would make it one.)
   */
  public List<RegisteredFlow> versions(String flowName) {
    RegisteredFlow latest = flow(flowName);
    List<RegisteredFlow> versions = new ArrayList<>();
    for (long id = latest.id(); id > 0 && versions.size() < latest.version(); id--) {
      backend.flows().find(id).filter(f -> f.name().equals(flowName)).ifPresent(versions::add);
    }
    return versions;
  }

  /** Every version of every flow: by name, newest version first. */
  public List<RegisteredFlow> allVersions() {
    List<RegisteredFlow> all = new ArrayList<>();
    for (RegisteredFlow latest : flows()) {
      all.addAll(versions(latest.name()));
    }
    return all;
  }

  public RegisteredFlow flow(String flowName) {
    return backend.flows().latest(flowName).orElseThrow(() -> new UnknownFlowException(flowName));
  }

  /** The run with this id or unique id prefix. */
  public FlowRun run(String idOrPrefix) {
    return backend
        .runs()
        .findByIdOrPrefix(idOrPrefix)
        .orElseThrow(() -> new UnknownRunException(idOrPrefix));
  }

  /** The newest version of every registered flow. */
  public List<RegisteredFlow> flows() {
    return backend.flows().listLatest();
  }

  /** The flow version with this id, if any. */
  public Optional<RegisteredFlow> flowVersion(long flowId) {
    return backend.flows().find(flowId);
  }

  /**
   * The warning to show after registering a flow that no live agent could run, if any: the labels
   * the closest agents lack.
   */
  public Optional<String> coverageWarning(RegisteredFlow flow) {
    return FlowCoverage.warning(flow.labelSet(), agents(), Instant.now());
  }

  /** The flows that have a schedule. */
  public List<ScheduledFlow> schedules() {
    return backend.flows().scheduled();
  }

  /**
   * Pauses or resumes a flow's schedule.
   *
   * @throws UnknownFlowException when no flow has that name
   * @throws NoScheduleException when the flow has no schedule
   */
  public void pauseSchedule(String flowName, boolean paused) {
    flow(flowName); // names an unknown flow in the error
    if (!backend.flows().pauseSchedule(flowName, paused)) {
      throw new NoScheduleException(flowName);
    }
  }

  /** Runs newest first, of one flow (null: all) in the given states (empty: any). */
  public List<FlowRun> runs(String flowName, Set<RunState> states, int limit) {
    return backend.runs().list(flowName, states, limit);
  }

  /** A page of runs, newest first, matching the filter, after the cursor (null: the first). */
  public RunSearch.RunPage searchRuns(
      RunSearch.RunFilter filter, RunSearch.RunCursor after, int limit) {
    return backend.runSearch().search(filter, after, limit);
  }

  /** Runs changed at or after {@code since}, oldest change first (see {@link RunSearch}). */
  public List<FlowRun> runsChangedSince(Instant since, int limit) {
    return backend.runSearch().changedSince(since, limit);
  }

  /** A run's state changes, oldest first. */
  public List<StateChange> history(String runId) {
    return backend.runs().history(runId);
  }

  /** The task runs a run has reported. */
  public List<TaskRun> tasks(String runId) {
    return backend.runs().taskRuns(runId);
  }

  /** Up to {@code limit} of a run's log records after the record with id {@code afterId}. */
  public List<LogRecord> logs(String runId, long afterId, int limit) {
    return backend.runs().logs(runId, afterId, limit);
  }

  /** Why the run is not running yet (or that it is), from the agents alive now. */
  public RunDiagnosis explain(String idOrPrefix, Duration staleAfter) {
    return RunDiagnosis.of(run(idOrPrefix), agents(), Instant.now(), staleAfter);
  }

  /** Requests a cancel and returns the run's state after it. */
  public RunState cancel(String idOrPrefix) {
    FlowRun run = run(idOrPrefix);
    return backend
        .runs()
        .requestCancel(run.id(), "cancel requested")
        .orElseThrow(() -> new UnknownRunException(idOrPrefix));
  }

  /** Every agent that has started, alive or not. */
  public List<AgentInfo> agents() {
    return backend.agents().list();
  }

  /**
   * Encrypts and stores a secret; returns the key it was encrypted with.
   *
   * @throws IllegalArgumentException when the name or value is not allowed
   */
  public MasterKey setSecret(String name, String value) {
    return SecretVault.of(backend, home.dir()).set(name, value);
  }

  /** The secrets' names and when they were set, never values. */
  public List<SecretSummary> secrets() {
    return backend.secrets().list();
  }

  /**
   * Deletes a secret.
   *
   * @throws UnknownSecretException when no secret has that name
   */
  public void deleteSecret(String name) {
    if (!backend.secrets().delete(name)) {
      throw new UnknownSecretException(name);
    }
  }

  @Override
  public void close() {
    if (ownsBackend) {
      backend.close();
    }
  }

  /** No flow has the name. */
  public static final class UnknownFlowException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownFlowException(String name) {
      super("no flow named '" + name + "' is registered; see `gantry flow list`");
    }

    UnknownFlowException(String name, String message) {
      super(message);
    }
  }

  /** No run has the id. */
  public static final class UnknownRunException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownRunException(String id) {
      super("no run with id '" + id + "'; see `gantry run list`");
    }
  }

  /** The flow has no schedule to pause or resume. */
  public static final class NoScheduleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NoScheduleException(String flowName) {
      super(
          "flow '"
              + flowName
              + "' has no schedule; register it with --cron EXPR or --interval DURATION");
    }
  }

  /** No secret has the name. */
  public static final class UnknownSecretException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownSecretException(String name) {
      super("no secret named '" + name + "'; see `gantry secret list`");
    }
  }
}
