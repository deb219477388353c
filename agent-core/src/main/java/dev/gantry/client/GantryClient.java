package dev.gantry.client;

import dev.gantry.backend.Backend;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunParameters;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.secrets.SecretVault;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Java API behind the CLI: register flows, create and cancel runs.
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

  /** Requests a cancel and returns the run's state after it. */
  public RunState cancel(String idOrPrefix) {
    FlowRun run = run(idOrPrefix);
    return backend
        .runs()
        .requestCancel(run.id(), "cancel requested")
        .orElseThrow(() -> new UnknownRunException(idOrPrefix));
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
  }

  /** No run has the id. */
  public static final class UnknownRunException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownRunException(String id) {
      super("no run with id '" + id + "'; see `gantry run list`");
    }
  }
}
