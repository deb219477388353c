package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import dev.gantry.backend.RunSearch;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.explain.RunDiagnosis;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.http.ApiRoute.Method;
import dev.gantry.server.http.Bodies;
import dev.gantry.server.json.Dtos;
import dev.gantry.server.json.RunDtos;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Flows (list, versions, schedule pause and resume) and runs (create, list, show, logs, cancel,
 * explain).
 */
public final class RunResources {
  private static final Pattern RUN_ID = Pattern.compile("[0-9a-fA-F-]{4,36}");
  private static final int MAX_RUNS_PER_CALL = 1000;
  private static final int MAX_PAGE = 500;
  private static final int MAX_LOG_PAGE = 5000;

  /** As {@code gantry run explain}'s default: an agent silent this long is not live. */
  private static final Duration STALE_AFTER = Duration.ofSeconds(30);

  private final GantryClient gantry;

  public RunResources(GantryClient gantry) {
    this.gantry = gantry;
  }

  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.read(API + "/flows", Role.VIEWER, "The newest version of every flow", this::flows),
        ApiRoute.read(
            API + "/flows/{name}/versions",
            Role.VIEWER,
            "Every version of a flow, newest first",
            this::versions),
        ApiRoute.read(
            API + "/flow-versions/{id}", Role.VIEWER, "One flow version by its id", this::version),
        ApiRoute.read(
            API + "/flow-versions/{id}/coverage",
            Role.VIEWER,
            "Whether a live agent could run the flow version, else the labels agents lack",
            this::coverage),
        ApiRoute.read(
            API + "/schedules",
            Role.VIEWER,
            "The flows that have a schedule, paused or not",
            this::schedules),
        ApiRoute.change(
            Method.POST,
            API + "/flows/{name}/schedule/pause",
            Role.OPERATOR,
            "schedule.pause",
            "Pause a flow's schedule",
            ctx -> schedule(ctx, true)),
        ApiRoute.change(
            Method.POST,
            API + "/flows/{name}/schedule/resume",
            Role.OPERATOR,
            "schedule.resume",
            "Resume a flow's schedule",
            ctx -> schedule(ctx, false)),
        ApiRoute.change(
            Method.POST, API + "/runs", Role.OPERATOR, "run.create", "Create runs", this::create),
        ApiRoute.read(
            API + "/runs",
            Role.VIEWER,
            "Runs, newest first, filtered, a page at a time",
            this::list),
        // Before /runs/{id}: the router takes the first route that matches.
        ApiRoute.read(
            API + "/runs/changes",
            Role.VIEWER,
            "Runs changed at or after a time (since, default: ever), oldest change first",
            this::changes),
        ApiRoute.read(
            API + "/runs/{id}", Role.VIEWER, "A run, its state history and tasks", this::show),
        ApiRoute.read(
            API + "/runs/{id}/logs", Role.VIEWER, "A run's log lines after a cursor", this::logs),
        ApiRoute.change(
            Method.POST,
            API + "/runs/{id}/cancel",
            Role.OPERATOR,
            "run.cancel",
            "Cancel a run",
            this::cancel),
        ApiRoute.read(
            API + "/runs/{id}/explain",
            Role.VIEWER,
            "Why a run is not running yet",
            this::explain));
  }

  private void flows(Context ctx) {
    ctx.json(gantry.flows().stream().map(RunDtos.FlowView::of).toList());
  }

  private void versions(Context ctx) {
    ctx.json(gantry.versions(ctx.pathParam("name")).stream().map(RunDtos.FlowView::of).toList());
  }

  private void version(Context ctx) {
    long id = flowVersionId(ctx);
    ctx.json(RunDtos.FlowView.of(gantry.flowVersion(id).orElseThrow(() -> noVersion(id))));
  }

  private void coverage(Context ctx) {
    long id = flowVersionId(ctx);
    RegisteredFlow flow = gantry.flowVersion(id).orElseThrow(() -> noVersion(id));
    ctx.json(new RunDtos.Coverage(flow.id(), gantry.coverageWarning(flow).orElse(null)));
  }

  /** The path's flow version id; one that is not a positive number names no version (404). */
  private static long flowVersionId(Context ctx) {
    String raw = ctx.pathParam("id");
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // no version has it: answered below
    }
    throw ApiException.notFound(
        "no flow version with id '" + raw + "'; see `gantry flow list --all-versions`");
  }

  private static ApiException noVersion(long id) {
    return ApiException.notFound(
        "no flow version with id '" + id + "'; see `gantry flow list --all-versions`");
  }

  private void schedules(Context ctx) {
    ctx.json(gantry.schedules().stream().map(RunDtos.ScheduleView::of).toList());
  }

  private void changes(Context ctx) {
    Instant since = RunQueries.instant(ctx, "since");
    if (since == null) {
      since = Instant.EPOCH; // every change, oldest first, a page at a time
    }
    int limit = (int) Queries.longParam(ctx, "limit", MAX_PAGE, 1, MAX_PAGE);
    ctx.json(gantry.runsChangedSince(since, limit).stream().map(RunDtos.RunView::of).toList());
  }

  private void schedule(Context ctx, boolean paused) {
    gantry.pauseSchedule(ctx.pathParam("name"), paused);
    ctx.status(204);
  }

  private void create(Context ctx) {
    RunDtos.NewRuns body = Bodies.read(ctx, RunDtos.NewRuns.class);
    if (body.flow() == null) {
      throw ApiException.badRequest("field 'flow' of the request body is missing");
    }
    int count = body.count() == null ? 1 : body.count();
    if (count < 1 || count > MAX_RUNS_PER_CALL) {
      throw ApiException.badRequest(
          "field 'count' must be between 1 and " + MAX_RUNS_PER_CALL + ", not " + count);
    }
    List<FlowRun> runs =
        gantry.createRuns(
            body.flow(),
            body.version(),
            body.parameters() == null ? Map.of() : body.parameters(),
            body.labels() == null ? Set.of() : body.labels(),
            count);
    ctx.status(201).json(runs.stream().map(RunDtos.RunView::of).toList());
  }

  private void list(Context ctx) {
    RunSearch.RunFilter filter = RunQueries.filter(ctx);
    RunSearch.RunCursor after = RunQueries.cursor(ctx.queryParam("after"));
    int limit = (int) Queries.longParam(ctx, "limit", 50, 1, MAX_PAGE);
    RunSearch.RunPage page = gantry.searchRuns(filter, after, limit);
    ctx.json(
        new Dtos.Page<>(
            page.runs().stream().map(RunDtos.RunView::of).toList(),
            page.next() == null ? null : RunQueries.encode(page.next())));
  }

  private void show(Context ctx) {
    FlowRun run = gantry.run(runId(ctx));
    ctx.json(
        new RunDtos.RunDetail(
            RunDtos.RunView.of(run),
            gantry.history(run.id()),
            gantry.tasks(run.id()),
            gantry.provenance(run.id()).map(RunDtos.BundleView::of).orElse(null)));
  }

  private void logs(Context ctx) {
    FlowRun run = gantry.run(runId(ctx));
    long after = Queries.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Queries.longParam(ctx, "limit", 1000, 1, MAX_LOG_PAGE);
    List<LogRecord> lines = gantry.logs(run.id(), after, limit);
    String next =
        lines.isEmpty() ? String.valueOf(after) : String.valueOf(lines.get(lines.size() - 1).id());
    // The cursor is always given: a client following a live run asks again from it.
    ctx.json(new Dtos.Page<>(lines, next));
  }

  private void cancel(Context ctx) {
    String id = runId(ctx);
    FlowRun run = gantry.run(id);
    ctx.json(new RunDtos.CancelResult(run.id(), gantry.cancel(run.id()).name()));
  }

  private void explain(Context ctx) {
    Duration staleAfter = Queries.durationParam(ctx, "staleAfter", STALE_AFTER);
    FlowRun run = gantry.run(runId(ctx));
    RunDiagnosis diagnosis = gantry.explain(run.id(), staleAfter);
    ctx.json(new RunDtos.Explanation(run.id(), diagnosis.verdict().name(), diagnosis.lines()));
  }

  static String runId(Context ctx) {
    String id = ctx.pathParam("id");
    if (!RUN_ID.matcher(id).matches()) {
      throw ApiException.badRequest(
          "'" + id + "' is not a run id; give the id or a prefix of at least 4 of its characters");
    }
    return id;
  }
}
