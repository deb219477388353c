package dev.gantry.client;

import dev.gantry.backend.Backend;
import dev.gantry.backend.BundleStore;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
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
import dev.gantry.explain.PolicyFit;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.flow.Names;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.FlowPusher;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.MasterKey;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.StorageRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The application API over the database: each operation reads or writes the backend directly. The
 * CLI uses it without {@code GANTRY_API_URL}, {@code gantry server} serves it, and agents use its
 * {@link #backend()}.
 */
public final class DatabaseGantryClient implements GantryClient {
  private final Backend backend;
  private final GantryHome home;
  private final boolean ownsBackend;

  public DatabaseGantryClient(Backend backend, GantryHome home) {
    this(backend, home, false);
  }

  private DatabaseGantryClient(Backend backend, GantryHome home, boolean ownsBackend) {
    this.backend = backend;
    this.home = home;
    this.ownsBackend = ownsBackend;
  }

  /** Opens the backend at {@code databaseUrl} (null: GANTRY_DB_URL or the embedded one). */
  public static DatabaseGantryClient open(GantryHome home, String databaseUrl) {
    return new DatabaseGantryClient(JdbcBackend.open(home.databaseUrl(databaseUrl)), home, true);
  }

  public Backend backend() {
    return backend;
  }

  public GantryHome home() {
    return home;
  }

  @Override
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
  @Override
  public FlowRun createRun(
      String flowName, Map<String, String> parameters, Set<String> extraLabels) {
    RegisteredFlow flow = flow(flowName);
    Map<String, String> values = RunParameters.validate(flow, parameters);
    Set<String> labels = new LinkedHashSet<>(flow.labelSet());
    extraLabels.forEach(label -> Names.check("label", label));
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
  @Override
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
    extraLabels.forEach(label -> Names.check("label", label));
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
  @Override
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
  @Override
  public List<RegisteredFlow> versions(String flowName) {
    RegisteredFlow latest = flow(flowName);
    List<RegisteredFlow> versions = new ArrayList<>();
    for (long id = latest.id(); id > 0 && versions.size() < latest.version(); id--) {
      backend.flows().find(id).filter(f -> f.name().equals(flowName)).ifPresent(versions::add);
    }
    return versions;
  }

  /** Every version of every flow: by name, newest version first. */
  @Override
  public List<RegisteredFlow> allVersions() {
    List<RegisteredFlow> all = new ArrayList<>();
    for (RegisteredFlow latest : flows()) {
      all.addAll(versions(latest.name()));
    }
    return all;
  }

  @Override
  public RegisteredFlow flow(String flowName) {
    return backend.flows().latest(flowName).orElseThrow(() -> new UnknownFlowException(flowName));
  }

  /** The run with this id or unique id prefix. */
  @Override
  public FlowRun run(String idOrPrefix) {
    return backend
        .runs()
        .findByIdOrPrefix(idOrPrefix)
        .orElseThrow(() -> new UnknownRunException(idOrPrefix));
  }

  /** The newest version of every registered flow. */
  @Override
  public List<RegisteredFlow> flows() {
    return backend.flows().listLatest();
  }

  /** The flow version with this id, if any. */
  @Override
  public Optional<RegisteredFlow> flowVersion(long flowId) {
    return backend.flows().find(flowId);
  }

  /**
   * The warning to show after registering a flow that no live agent could run, if any: the labels
   * the closest agents lack.
   */
  @Override
  public Optional<String> coverageWarning(RegisteredFlow flow) {
    return FlowCoverage.warning(flow.labelSet(), agents(), Instant.now());
  }

  /** The flows that have a schedule. */
  @Override
  public List<ScheduledFlow> schedules() {
    return backend.flows().scheduled();
  }

  /**
   * Pauses or resumes a flow's schedule.
   *
   * @throws UnknownFlowException when no flow has that name
   * @throws NoScheduleException when the flow has no schedule
   */
  @Override
  public void pauseSchedule(String flowName, boolean paused) {
    flow(flowName); // names an unknown flow in the error
    if (!backend.flows().pauseSchedule(flowName, paused)) {
      throw new NoScheduleException(flowName);
    }
  }

  /** Runs newest first, of one flow (null: all) in the given states (empty: any). */
  @Override
  public List<FlowRun> runs(String flowName, Set<RunState> states, int limit) {
    return backend.runs().list(flowName, states, limit);
  }

  /** A page of runs, newest first, matching the filter, after the cursor (null: the first). */
  @Override
  public RunSearch.RunPage searchRuns(
      RunSearch.RunFilter filter, RunSearch.RunCursor after, int limit) {
    return backend.runSearch().search(filter, after, limit);
  }

  /** Runs changed at or after {@code since}, oldest change first (see {@link RunSearch}). */
  @Override
  public List<FlowRun> runsChangedSince(Instant since, int limit) {
    return backend.runSearch().changedSince(since, limit);
  }

  /** A run's state changes, oldest first. */
  @Override
  public List<StateChange> history(String runId) {
    return backend.runs().history(runId);
  }

  /** The task runs a run has reported. */
  @Override
  public List<TaskRun> tasks(String runId) {
    return backend.runs().taskRuns(runId);
  }

  /** Up to {@code limit} of a run's log records after the record with id {@code afterId}. */
  @Override
  public List<LogRecord> logs(String runId, long afterId, int limit) {
    return backend.runs().logs(runId, afterId, limit);
  }

  /** Why the run is not running yet (or that it is), from the agents alive now. */
  @Override
  public RunDiagnosis explain(String idOrPrefix, Duration staleAfter) {
    FlowRun run = run(idOrPrefix);
    Optional<RegisteredFlow> flow = backend.flows().find(run.flowId());
    return PolicyFit.diagnose(
        run,
        agents(),
        Instant.now(),
        staleAfter,
        flow.map(RegisteredFlow::runConfig).orElse(RunConfig.EMPTY),
        flow.map(RegisteredFlow::image).orElse(null),
        backend.agents().policies());
  }

  /** Requests a cancel and returns the run's state after it. */
  @Override
  public RunState cancel(String idOrPrefix) {
    FlowRun run = run(idOrPrefix);
    return backend
        .runs()
        .requestCancel(run.id(), "cancel requested")
        .orElseThrow(() -> new UnknownRunException(idOrPrefix));
  }

  /** Every agent that has started, alive or not. */
  @Override
  public List<AgentInfo> agents() {
    return backend.agents().list();
  }

  /**
   * Encrypts and stores a secret; returns the key it was encrypted with.
   *
   * @throws IllegalArgumentException when the name or value is not allowed
   */
  @Override
  public void setSecret(String name, String value) {
    storeSecret(name, value);
  }

  /** Encrypts and stores a secret; returns the key it was encrypted with (created if need be). */
  public MasterKey storeSecret(String name, String value) {
    return SecretVault.of(backend, home.dir()).set(name, value);
  }

  /** The secrets' names and when they were set, never values. */
  @Override
  public List<SecretSummary> secrets() {
    return backend.secrets().list();
  }

  /**
   * Deletes a secret.
   *
   * @throws UnknownSecretException when no secret has that name
   */
  @Override
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

  @Override
  public BundleStore.BundlePush push(BundlePushRequest request) {
    flow(request.flowName()); // names an unknown flow as every other operation does
    return new FlowPusher(
            backend.flows(),
            backend.bundles(),
            home,
            SecretVault.of(backend, home.dir()),
            StorageRegistry.installed())
        .push(request);
  }

  @Override
  public List<BundleStore.BundlePush> pushes(String flowName) {
    flow(flowName);
    return backend.bundles().pushes(flowName);
  }

  @Override
  public Optional<RunProvenance> provenance(String runIdOrPrefix) {
    FlowRun run = run(runIdOrPrefix);
    return backend
        .bundles()
        .runBundle(run.id(), run.attempt())
        .map(
            ran ->
                new RunProvenance(
                    run.id(),
                    run.attempt(),
                    ran.digest(),
                    ran.build(),
                    backend
                        .flows()
                        .find(run.flowId())
                        .map(f -> ran.digest().equalsIgnoreCase(String.valueOf(f.digest())))
                        .orElse(false),
                    backend.bundles().push(run.flowId(), ran.digest()).orElse(null)));
  }
}
