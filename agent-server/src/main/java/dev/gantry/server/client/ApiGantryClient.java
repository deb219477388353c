package dev.gantry.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.gantry.backend.BundleStore;
import dev.gantry.backend.RunSearch;
import dev.gantry.backend.SecretStore.SecretSummary;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.ScheduledFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.client.RunProvenance;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.flow.ParameterException;
import dev.gantry.registration.BundlePushRequest;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import dev.gantry.server.api.RunQueries;
import dev.gantry.server.json.Dtos;
import dev.gantry.server.json.RegistrationRequest;
import dev.gantry.server.json.RunDtos;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The application API over {@code gantry server}: each operation is one or a few HTTP calls with a
 * bearer token. It returns the values and throws the exceptions {@link
 * dev.gantry.client.DatabaseGantryClient} does for the same call (an unknown flow, run or secret, a
 * missing schedule, a bad parameter), with the server's one-line message; a refused token, an
 * unreachable or failing server is a {@link GantryApiException} naming the URL, never the token.
 *
 * <pre>{@code
 * try (GantryClient gantry = ApiGantryClient.connect("http://127.0.0.1:8420", token)) {
 *   FlowRun run = gantry.createRun("etl", Map.of("rows", "10"), Set.of());
 * }
 * }</pre>
 */
public final class ApiGantryClient implements GantryClient {
  /** The server's largest page of runs and of run creations. */
  private static final int RUN_PAGE = 500;

  private static final int RUNS_PER_CALL = 1000;
  private static final int LOG_PAGE = 5000;
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern RUN_ID = Pattern.compile("[0-9a-fA-F-]{4,36}");

  private static final TypeReference<RunDtos.FlowView> FLOW = new TypeReference<>() {};
  private static final TypeReference<List<RunDtos.FlowView>> FLOWS = new TypeReference<>() {};
  private static final TypeReference<RunDtos.RunView> RUN = new TypeReference<>() {};
  private static final TypeReference<List<RunDtos.RunView>> RUNS = new TypeReference<>() {};
  private static final TypeReference<Dtos.Page<RunDtos.RunView>> RUN_PAGE_TYPE =
      new TypeReference<>() {};
  private static final TypeReference<RunDtos.RunDetail> DETAIL = new TypeReference<>() {};
  private static final TypeReference<Dtos.Page<LogRecord>> LOGS = new TypeReference<>() {};

  private final ApiConnection connection;

  private ApiGantryClient(ApiConnection connection) {
    this.connection = connection;
  }

  /**
   * A client of the server at {@code url} (e.g. {@code http://127.0.0.1:8420}) with a token.
   *
   * @throws IllegalArgumentException when the URL is not http(s) or the token is missing or
   *     malformed; nothing is sent then
   */
  public static ApiGantryClient connect(String url, String token) {
    return new ApiGantryClient(new ApiConnection(url, token));
  }

  /** The server's URL. */
  public String url() {
    return connection.url();
  }

  @Override
  public RegisteredFlow register(Registration registration) {
    byte[] settings;
    try {
      settings = ApiConnection.mapper().writeValueAsBytes(RegistrationRequest.of(registration));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write the registration: " + e.getMessage(), e);
    }
    MultipartForm form = MultipartForm.registration(settings, registration);
    return refused(
        () ->
            Views.flow(
                connection.send(
                    "POST", "/flows", form.publisher(), form.contentType(), UPLOAD_TIMEOUT, FLOW)),
        p -> p.status() == 400 ? new RegistrationException(p.detail(), null) : null);
  }

  @Override
  public FlowRun createRun(
      String flowName, Map<String, String> parameters, Set<String> extraLabels) {
    return createRuns(flowName, null, parameters, extraLabels, 1).get(0);
  }

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
    List<FlowRun> runs = new ArrayList<>(count);
    while (runs.size() < count) {
      int batch = Math.min(RUNS_PER_CALL, count - runs.size());
      RunDtos.NewRuns body = new RunDtos.NewRuns(flowName, version, parameters, extraLabels, batch);
      List<RunDtos.RunView> created =
          refused(
              () -> connection.send("POST", "/runs", body, RUNS),
              p -> {
                if (p.status() == 404) {
                  return unknownFlow(flowName, p);
                }
                return p.detail().contains("parameter") ? new ParameterException(p.detail()) : null;
              });
      created.forEach(view -> runs.add(Views.run(view)));
    }
    return runs;
  }

  @Override
  public RegisteredFlow flowVersion(String flowName, int version) {
    return versions(flowName).stream()
        .filter(f -> f.version() == version)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "flow '"
                        + flowName
                        + "' has no version "
                        + version
                        + "; see `gantry flow list --all-versions`"));
  }

  @Override
  public List<RegisteredFlow> versions(String flowName) {
    return refused(
            () -> connection.get(ApiConnection.path("flows", flowName, "versions"), FLOWS),
            p -> p.status() == 404 ? unknownFlow(flowName, p) : null)
        .stream()
        .map(Views::flow)
        .toList();
  }

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
    return versions(flowName).get(0);
  }

  @Override
  public FlowRun run(String idOrPrefix) {
    return Views.run(detail(idOrPrefix).run());
  }

  private RunDtos.RunDetail detail(String idOrPrefix) {
    checkRunId(idOrPrefix);
    return refused(
        () -> connection.get(ApiConnection.path("runs", idOrPrefix), DETAIL),
        p -> unknownRun(idOrPrefix, p));
  }

  @Override
  public List<RegisteredFlow> flows() {
    return refused(() -> connection.get("/flows", FLOWS), p -> null).stream()
        .map(Views::flow)
        .toList();
  }

  @Override
  public Optional<RegisteredFlow> flowVersion(long flowId) {
    try {
      return Optional.of(
          Views.flow(connection.get(ApiConnection.path("flow-versions", "" + flowId), FLOW)));
    } catch (ApiProblem p) {
      if (p.status() == 404) {
        return Optional.empty();
      }
      throw new IllegalArgumentException(p.detail());
    }
  }

  @Override
  public Optional<String> coverageWarning(RegisteredFlow flow) {
    RunDtos.Coverage coverage =
        refused(
            () ->
                connection.get(
                    ApiConnection.path("flow-versions", "" + flow.id(), "coverage"),
                    new TypeReference<RunDtos.Coverage>() {}),
            p -> null);
    return Optional.ofNullable(coverage.warning());
  }

  @Override
  public List<ScheduledFlow> schedules() {
    return refused(
            () -> connection.get("/schedules", new TypeReference<List<RunDtos.ScheduleView>>() {}),
            p -> null)
        .stream()
        .map(Views::schedule)
        .toList();
  }

  @Override
  public void pauseSchedule(String flowName, boolean paused) {
    refused(
        () -> {
          connection.send(
              "POST",
              ApiConnection.path("flows", flowName, "schedule", paused ? "pause" : "resume"),
              null);
          return null;
        },
        p -> {
          if (p.status() == 404) {
            return unknownFlow(flowName, p);
          }
          NoScheduleException none = new NoScheduleException(flowName);
          return none.getMessage().equals(p.detail()) ? none : null;
        });
  }

  @Override
  public List<FlowRun> runs(String flowName, Set<RunState> states, int limit) {
    RunSearch.RunFilter filter = new RunSearch.RunFilter(flowName, states, null, null, null, null);
    List<FlowRun> runs = new ArrayList<>();
    RunSearch.RunCursor after = null;
    while (runs.size() < limit) {
      RunSearch.RunPage page = searchRuns(filter, after, Math.min(RUN_PAGE, limit - runs.size()));
      runs.addAll(page.runs());
      if (page.next() == null) {
        break;
      }
      after = page.next();
    }
    return runs;
  }

  @Override
  public RunSearch.RunPage searchRuns(
      RunSearch.RunFilter filter, RunSearch.RunCursor after, int limit) {
    if (limit < 1) {
      return new RunSearch.RunPage(List.of(), null);
    }
    Query query = new Query().add("limit", String.valueOf(Math.min(limit, RUN_PAGE)));
    query.add("flow", filter.flowName()).add("label", filter.label());
    query.add("agent", filter.agentId());
    filter.states().forEach(s -> query.add("state", s.name()));
    query.add("createdFrom", filter.createdFrom()).add("createdBefore", filter.createdBefore());
    query.add("after", after == null ? null : RunQueries.encode(after));
    Dtos.Page<RunDtos.RunView> page =
        refused(() -> connection.get("/runs" + query, RUN_PAGE_TYPE), p -> null);
    return new RunSearch.RunPage(
        page.items().stream().map(Views::run).toList(),
        page.next() == null ? null : RunQueries.cursor(page.next()));
  }

  @Override
  public List<FlowRun> runsChangedSince(Instant since, int limit) {
    Query query = new Query().add("since", since).add("limit", "" + Math.min(limit, RUN_PAGE));
    return refused(() -> connection.get("/runs/changes" + query, RUNS), p -> null).stream()
        .map(Views::run)
        .toList();
  }

  /** As the database mode: an unknown run has no history (nothing is thrown). */
  @Override
  public List<StateChange> history(String runId) {
    try {
      return detail(runId).history();
    } catch (UnknownRunException e) {
      return List.of();
    }
  }

  /** As the database mode: an unknown run has no tasks. */
  @Override
  public List<TaskRun> tasks(String runId) {
    try {
      return detail(runId).tasks();
    } catch (UnknownRunException e) {
      return List.of();
    }
  }

  /** As the database mode: an unknown run has no log lines. */
  @Override
  public List<LogRecord> logs(String runId, long afterId, int limit) {
    try {
      return logPages(runId, afterId, limit);
    } catch (UnknownRunException e) {
      return List.of();
    }
  }

  private List<LogRecord> logPages(String runId, long afterId, int limit) {
    checkRunId(runId);
    List<LogRecord> lines = new ArrayList<>();
    long after = afterId;
    while (lines.size() < limit) {
      int page = Math.min(LOG_PAGE, limit - lines.size());
      Query query = new Query().add("after", "" + after).add("limit", "" + page);
      List<LogRecord> got =
          refused(
                  () -> connection.get(ApiConnection.path("runs", runId, "logs") + query, LOGS),
                  p -> unknownRun(runId, p))
              .items();
      lines.addAll(got);
      if (got.size() < page) {
        break;
      }
      after = got.get(got.size() - 1).id();
    }
    return lines;
  }

  @Override
  public RunDiagnosis explain(String idOrPrefix, Duration staleAfter) {
    checkRunId(idOrPrefix);
    Query query = new Query().add("staleAfter", staleAfter.toString());
    return Views.diagnosis(
        refused(
            () ->
                connection.get(
                    ApiConnection.path("runs", idOrPrefix, "explain") + query,
                    new TypeReference<RunDtos.Explanation>() {}),
            p -> unknownRun(idOrPrefix, p)));
  }

  @Override
  public RunState cancel(String idOrPrefix) {
    checkRunId(idOrPrefix);
    RunDtos.CancelResult result =
        refused(
            () ->
                connection.send(
                    "POST",
                    ApiConnection.path("runs", idOrPrefix, "cancel"),
                    Map.of(),
                    new TypeReference<RunDtos.CancelResult>() {}),
            p -> unknownRun(idOrPrefix, p));
    return RunState.valueOf(result.state());
  }

  /**
   * Follows a run's events as the server streams them (states, task states, log lines, the end),
   * resuming with Last-Event-ID when the stream breaks. Close it when done.
   */
  public RunEventFeed events(String runId) {
    checkRunId(runId);
    return new RunEventFeed(connection, runId);
  }

  @Override
  public List<AgentInfo> agents() {
    return refused(
            () -> connection.get("/agents", new TypeReference<List<Dtos.AgentView>>() {}),
            p -> null)
        .stream()
        .map(Views::agent)
        .toList();
  }

  @Override
  public void setSecret(String name, String value) {
    refused(
        () -> {
          connection.send("PUT", ApiConnection.path("secrets", name), new Dtos.SecretValue(value));
          return null;
        },
        p -> null);
  }

  @Override
  public List<SecretSummary> secrets() {
    return refused(
            () -> connection.get("/secrets", new TypeReference<List<Dtos.SecretView>>() {}),
            p -> null)
        .stream()
        .map(Views::secret)
        .toList();
  }

  @Override
  public void deleteSecret(String name) {
    refused(
        () -> {
          connection.send("DELETE", ApiConnection.path("secrets", name), null);
          return null;
        },
        p -> {
          UnknownSecretException unknown = new UnknownSecretException(name);
          return p.status() == 404 && unknown.getMessage().equals(p.detail()) ? unknown : null;
        });
  }

  /** Nothing to release: the JDK's client closes idle connections itself. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "ApiGantryClient[" + connection.url() + "]";
  }

  /**
   * Runs a call; a refused request becomes the exception {@code mapping} names for it, or else an
   * {@link IllegalArgumentException} with the server's message, as the database mode's checks.
   */
  private static <T> T refused(
      java.util.function.Supplier<T> call, Function<ApiProblem, RuntimeException> mapping) {
    try {
      return call.get();
    } catch (ApiProblem p) {
      RuntimeException mapped = mapping.apply(p);
      throw mapped != null ? mapped : new IllegalArgumentException(p.detail());
    }
  }

  private static RuntimeException unknownFlow(String name, ApiProblem p) {
    UnknownFlowException unknown = new UnknownFlowException(name);
    return unknown.getMessage().equals(p.detail()) ? unknown : null;
  }

  /**
   * An id no run can have (run ids are UUIDs; the server takes 4 to 36 of their characters) is
   * unknown here, as the database mode says, without asking the server.
   */
  private static void checkRunId(String idOrPrefix) {
    if (!RUN_ID.matcher(idOrPrefix.strip()).matches()) {
      throw new UnknownRunException(idOrPrefix);
    }
  }

  private static RuntimeException unknownRun(String id, ApiProblem p) {
    UnknownRunException unknown = new UnknownRunException(id);
    return p.status() == 404 && unknown.getMessage().equals(p.detail()) ? unknown : null;
  }

  @Override
  public BundleStore.BundlePush push(BundlePushRequest request) {
    return new ApiPushes(connection).push(request);
  }

  @Override
  public List<BundleStore.BundlePush> pushes(String flowName) {
    return new ApiPushes(connection).pushes(flowName);
  }

  @Override
  public Optional<RunProvenance> provenance(String runIdOrPrefix) {
    RunDtos.RunDetail detail = detail(runIdOrPrefix);
    return Optional.ofNullable(detail.bundle()).map(b -> Views.provenance(detail.run().id(), b));
  }
}
