package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.parameterMarks;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.stored;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.BackendException;
import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunStore;
import dev.gantry.backend.jdbc.Database.Dialect;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import dev.gantry.flow.TaskState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@link RunStore} on {@code flow_runs} and its satellite tables. State changes are conditional
 * UPDATEs (the condition is the legal predecessor states and, for agents, the fence), and fenced
 * writes to other tables first lock the run's row; both work the same on H2 and PostgreSQL.
 *
 * <p>Claims differ: on PostgreSQL one statement picks the due runs with {@code FOR UPDATE SKIP
 * LOCKED}, moves them to Submitted and appends their history; on H2 each polled run is claimed by
 * its own conditional UPDATE. Runs of flows with a concurrency limit are claimed separately, under
 * a lock on the flow's {@code flow_limits} row, so agents never exceed the limit together.
 */
final class JdbcRunStore implements RunStore {

  /** Column lengths from V1__initial_schema.sql; longer text is cut to fit. */
  private static final int MESSAGE_LENGTH = 4000;

  private static final int LOG_MESSAGE_LENGTH = 32000;
  private static final int LOG_LEVEL_LENGTH = 16;
  private static final int LOG_SOURCE_LENGTH = 255;
  private static final int TASK_NAME_LENGTH = 200;

  /** Shortest prefix {@link #findByIdOrPrefix} accepts, so a typo does not pick a random run. */
  private static final int MIN_PREFIX_LENGTH = 4;

  /** Candidates read beyond {@code max} per poll, to make up for runs other agents win. */
  private static final int CLAIM_SLACK = 4;

  /** Runs whose labels are read in one IN list. */
  private static final int LABEL_BATCH = 500;

  private static final Set<RunState> ACTIVE =
      EnumSet.of(RunState.Submitted, RunState.Running, RunState.Cancelling);

  /** The states an infrastructure failure can end: Cancelling runs end Cancelled instead. */
  private static final Set<RunState> RETRIABLE = EnumSet.of(RunState.Submitted, RunState.Running);

  /** Runs of flows without a concurrency limit: the agents' hot path. */
  private static final String UNLIMITED_FLOW =
      "NOT EXISTS (SELECT 1 FROM flows lf JOIN flow_limits fl ON fl.flow_name = lf.name"
          + " WHERE lf.id = r.flow_id)";

  /** Runs of any version of the flow named by the parameter. */
  private static final String FLOW_NAMED =
      "r.flow_id IN (SELECT nf.id FROM flows nf WHERE nf.name = ?)";

  private static final String RUN_COLUMNS =
      "r.id, r.flow_id, f.name AS flow_name, f.version AS flow_version, r.state, r.attempt,"
          + " r.agent_id, r.parameters, r.scheduled_at, r.created_at, r.updated_at, r.started_at,"
          + " r.ended_at, r.message";
  private static final String FROM_RUNS = " FROM flow_runs r JOIN flows f ON f.id = r.flow_id";

  /** Copies a run's current state into its history; the caller has just changed it. */
  private static final String APPEND_HISTORY =
      "INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
          + " SELECT id, state, attempt, agent_id, updated_at, message FROM flow_runs WHERE id = ?";

  private final Database db;

  JdbcRunStore(Database db) {
    this.db = db;
  }

  @Override
  public FlowRun create(NewRun run) {
    Objects.requireNonNull(run, "run");
    return db.transaction("create a run of flow " + run.flowId(), c -> insertRun(c, run, null));
  }

  @Override
  public Optional<FlowRun> createForScheduleFire(NewRun run) {
    Objects.requireNonNull(run, "run");
    try {
      return Optional.of(
          db.transaction(
              "create the run of flow "
                  + run.flowId()
                  + " for its schedule fire at "
                  + run.scheduledAt(),
              c -> insertRun(c, run, run.scheduledAt())));
    } catch (BackendException e) {
      if (Database.isUniqueViolation(e)) {
        return Optional.empty(); // another scheduler created this fire's run
      }
      throw e;
    }
  }

  private FlowRun insertRun(Connection c, NewRun run, Instant scheduleFireAt) throws SQLException {
    String runId = UUID.randomUUID().toString();
    Instant now = db.now();
    boolean flowExists =
        queryOne(c, "SELECT id FROM flows WHERE id = ?", row -> true, run.flowId()).isPresent();
    if (!flowExists) {
      throw new IllegalArgumentException(
          "cannot create a run of flow " + run.flowId() + ": no flow has that id");
    }
    update(
        c,
        "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
            + " scheduled_at, created_at, updated_at, schedule_fire_at)"
            + " VALUES (?, ?, ?, 0, NULL, ?, ?, ?, ?, ?)",
        runId,
        run.flowId(),
        RunState.Scheduled,
        JsonColumns.parameterValues(run.parameters()),
        run.scheduledAt(),
        now,
        now,
        scheduleFireAt);
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO run_labels (run_id, label) VALUES (?, ?)")) {
      for (String label : run.labels()) {
        Database.bind(insert, runId, label);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    update(c, APPEND_HISTORY, runId);
    db.signal(c, RunSignal.DUE);
    return findRun(c, runId).orElseThrow();
  }

  @Override
  public Optional<FlowRun> find(String runId) {
    return db.read("read run " + runId, c -> findRun(c, runId));
  }

  @Override
  public Optional<FlowRun> findByIdOrPrefix(String idOrPrefix) {
    String wanted = idOrPrefix.strip().toLowerCase(Locale.ROOT);
    return db.read(
        "find run '" + idOrPrefix + "'",
        c -> {
          Optional<FlowRun> exact = findRun(c, wanted);
          if (exact.isPresent() || wanted.length() < MIN_PREFIX_LENGTH) {
            return exact;
          }
          List<String> matches =
              query(
                  c,
                  "SELECT id FROM flow_runs WHERE id LIKE ? ESCAPE '!' ORDER BY id LIMIT 2",
                  row -> row.getString("id"),
                  likePrefix(wanted));
          return matches.size() == 1 ? findRun(c, matches.get(0)) : Optional.empty();
        });
  }

  private static String likePrefix(String prefix) {
    return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
  }

  @Override
  public List<FlowRun> list(String flowName, Set<RunState> states, int limit) {
    StringBuilder sql = new StringBuilder("SELECT ").append(RUN_COLUMNS).append(FROM_RUNS);
    List<Object> params = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    if (flowName != null) {
      conditions.add("f.name = ?");
      params.add(flowName);
    }
    if (states != null && !states.isEmpty()) {
      conditions.add("r.state IN (" + parameterMarks(states.size()) + ")");
      params.addAll(states);
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    params.add(limit);
    return db.read("list runs", c -> readRuns(c, sql.toString(), params.toArray()));
  }

  @Override
  public List<FlowRun> claimDue(
      String agentId, Set<String> agentLabels, int max, Instant now, Duration lease) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    if (max < 1) {
      return List.of();
    }
    Claim claim = new Claim(agentId, LabelCondition.of(agentLabels), stored(now), now.plus(lease));
    List<FlowRun> claimed = new ArrayList<>(claimUnlimited(claim, max));
    if (claimed.size() < max) {
      claimed.addAll(claimLimited(claim, max - claimed.size()));
      claimed.sort(Comparator.comparing(FlowRun::scheduledAt).thenComparing(FlowRun::id));
    }
    return claimed;
  }

  /** One agent's claim: who, the label rule for its labels, the time and the lease it takes. */
  private record Claim(String agentId, LabelCondition labels, Instant now, Instant leaseUntil) {}

  /**
   * The label rule in SQL for runs aliased {@code r}: an agent without labels gets only runs
   * without labels; an agent with labels gets runs that have labels, none of them missing from the
   * agent's (never an unlabelled run).
   */
  private record LabelCondition(String sql, List<Object> params) {
    static LabelCondition of(Set<String> agentLabels) {
      if (agentLabels.isEmpty()) {
        return new LabelCondition(
            "NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)", List.of());
      }
      return new LabelCondition(
          "EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)"
              + " AND NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id"
              + " AND l.label NOT IN ("
              + parameterMarks(agentLabels.size())
              + "))",
          List.copyOf(agentLabels));
    }
  }

  /** Claims due runs of flows without a concurrency limit. */
  private List<FlowRun> claimUnlimited(Claim claim, int max) {
    String operation = "claim due runs for agent " + claim.agentId();
    if (db.dialect() == Dialect.POSTGRES) {
      return db.transaction(
          operation,
          c -> readRunsById(c, claimInOneStatement(c, claim, UNLIMITED_FLOW, List.of(), max)));
    }
    // H2: poll, then claim each candidate with its own conditional UPDATE. The update applies only
    // while the run is still Scheduled, so of two agents racing for a run exactly one sees an
    // update count of 1. Runs lost to other agents are replaced by polling again.
    List<FlowRun> claimed = new ArrayList<>();
    Set<String> tried = new HashSet<>();
    while (claimed.size() < max) {
      int wanted = max - claimed.size() + CLAIM_SLACK;
      List<String> candidates =
          db.read(operation, c -> dueCandidates(c, claim, UNLIMITED_FLOW, List.of(), wanted));
      candidates.removeIf(runId -> !tried.add(runId));
      if (candidates.isEmpty()) {
        break;
      }
      for (String runId : candidates) {
        if (claimed.size() == max) {
          break;
        }
        db.transaction(
                "claim run " + runId + " for agent " + claim.agentId(),
                c -> claimOne(c, claim, runId) ? findRun(c, runId) : Optional.<FlowRun>empty())
            .ifPresent(claimed::add);
      }
    }
    return claimed;
  }

  /**
   * PostgreSQL: picks up to {@code limit} due runs that match the label rule and {@code
   * flowCondition}, skipping rows other agents have locked, moves them to Submitted and appends
   * their history, in one statement. Returns the claimed run ids.
   */
  private static List<String> claimInOneStatement(
      Connection c, Claim claim, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(claim.now());
    params.addAll(claim.labels().params());
    params.addAll(flowParams);
    params.add(limit);
    params.addAll(
        List.of(
            RunState.Submitted,
            claim.agentId(),
            claim.now(),
            claim.leaseUntil(),
            RunState.Scheduled));
    return query(
        c,
        claimStatement(claim.labels(), flowCondition),
        row -> row.getString("run_id"),
        params.toArray());
  }

  /** The poll: due runs matching the label rule and {@code flowCondition}, oldest first. */
  private static String pollStatement(LabelCondition labels, String flowCondition) {
    return "SELECT r.id FROM flow_runs r"
        + " WHERE r.state = ? AND r.scheduled_at <= ? AND "
        + labels.sql()
        + " AND "
        + flowCondition
        + " ORDER BY r.scheduled_at, r.id LIMIT ? FOR UPDATE SKIP LOCKED";
  }

  private static String claimStatement(LabelCondition labels, String flowCondition) {
    return "WITH picked AS ("
        + pollStatement(labels, flowCondition)
        + "),"
        + " claimed AS (UPDATE flow_runs u SET state = ?, attempt = u.attempt + 1, agent_id = ?,"
        + " updated_at = ?, message = NULL, lease_expires_at = ?"
        + " FROM picked WHERE u.id = picked.id AND u.state = ?"
        + " RETURNING u.id, u.state, u.attempt, u.agent_id, u.updated_at, u.message)"
        + " INSERT INTO run_states (run_id, state, attempt, agent_id, changed_at, message)"
        + " SELECT id, state, attempt, agent_id, updated_at, message FROM claimed"
        + " RETURNING run_id";
  }

  /** Scheduled runs due for this claim that match {@code flowCondition}, oldest due first. */
  private static List<String> dueCandidates(
      Connection c, Claim claim, String flowCondition, List<Object> flowParams, int limit)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(claim.now());
    params.addAll(claim.labels().params());
    params.addAll(flowParams);
    params.add(limit);
    return query(
        c,
        "SELECT r.id FROM flow_runs r WHERE r.state = ? AND r.scheduled_at <= ? AND "
            + claim.labels().sql()
            + " AND "
            + flowCondition
            + " ORDER BY r.scheduled_at, r.id LIMIT ?",
        row -> row.getString("id"),
        params.toArray());
  }

  /** Claims one polled run if it is still Scheduled and due; appends its history. */
  private static boolean claimOne(Connection c, Claim claim, String runId) throws SQLException {
    int claimed =
        update(
            c,
            "UPDATE flow_runs SET state = ?, attempt = attempt + 1, agent_id = ?,"
                + " updated_at = ?, message = NULL, lease_expires_at = ?"
                + " WHERE id = ? AND state = ? AND scheduled_at <= ?",
            RunState.Submitted,
            claim.agentId(),
            claim.now(),
            claim.leaseUntil(),
            runId,
            RunState.Scheduled,
            claim.now());
    if (claimed != 1) {
      return false;
    }
    update(c, APPEND_HISTORY, runId);
    return true;
  }

  /** A flow with a concurrency limit that has runs due for this claim. */
  private record LimitedFlow(String name) {}

  /**
   * Claims due runs of flows with a concurrency limit, flow by flow, the flow with the oldest due
   * run first. Each flow is claimed in a transaction that locks its {@code flow_limits} row first:
   * agents claiming runs of one limited flow take turns, and each counts the active runs after the
   * previous one committed.
   */
  private List<FlowRun> claimLimited(Claim claim, int max) {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(claim.now());
    params.addAll(claim.labels().params());
    List<LimitedFlow> flows =
        db.read(
            "list concurrency-limited flows with runs due for agent " + claim.agentId(),
            c ->
                query(
                    c,
                    "SELECT fl.flow_name, MIN(r.scheduled_at) AS oldest FROM flow_limits fl"
                        + " JOIN flows f ON f.name = fl.flow_name"
                        + " JOIN flow_runs r ON r.flow_id = f.id"
                        + " WHERE r.state = ? AND r.scheduled_at <= ? AND "
                        + claim.labels().sql()
                        + " GROUP BY fl.flow_name ORDER BY oldest, fl.flow_name",
                    row -> new LimitedFlow(row.getString("flow_name")),
                    params.toArray()));
    List<FlowRun> claimed = new ArrayList<>();
    for (LimitedFlow flow : flows) {
      int free = max - claimed.size();
      if (free < 1) {
        break;
      }
      claimed.addAll(
          db.transaction(
              "claim runs of flow '"
                  + flow.name()
                  + "' within its concurrency limit for agent "
                  + claim.agentId(),
              c -> claimWithinLimit(c, claim, flow.name(), free)));
    }
    return claimed;
  }

  private List<FlowRun> claimWithinLimit(Connection c, Claim claim, String flowName, int free)
      throws SQLException {
    record Limit(int max, WhenLimited whenLimited) {}
    // The row lock makes agents claiming this flow take turns; it holds until commit.
    Optional<Limit> limit =
        queryOne(
            c,
            "SELECT concurrency_limit, when_limited FROM flow_limits WHERE flow_name = ? FOR UPDATE",
            row ->
                new Limit(
                    row.getInt("concurrency_limit"),
                    WhenLimited.valueOf(row.getString("when_limited"))),
            flowName);
    if (limit.isEmpty()) {
      return List.of(); // the limit was lifted meanwhile: the unlimited claim takes these runs
    }
    List<Object> countParams = new ArrayList<>();
    countParams.add(flowName);
    countParams.addAll(ACTIVE);
    int active =
        queryOne(
                c,
                "SELECT COUNT(*) AS active FROM flow_runs r WHERE "
                    + FLOW_NAMED
                    + " AND r.state IN ("
                    + parameterMarks(ACTIVE.size())
                    + ")",
                row -> row.getInt("active"),
                countParams.toArray())
            .orElse(0);
    int room = Math.min(free, limit.get().max() - active);
    List<String> claimedIds = new ArrayList<>();
    if (room > 0) {
      List<Object> flowParams = List.of(flowName);
      if (db.dialect() == Dialect.POSTGRES) {
        claimedIds.addAll(claimInOneStatement(c, claim, FLOW_NAMED, flowParams, room));
      } else {
        for (String runId : dueCandidates(c, claim, FLOW_NAMED, flowParams, room)) {
          if (claimOne(c, claim, runId)) {
            claimedIds.add(runId);
          }
        }
      }
    }
    if (limit.get().whenLimited() == WhenLimited.cancel
        && active + claimedIds.size() >= limit.get().max()) {
      cancelExcess(c, claim, flowName, limit.get().max());
    }
    return readRunsById(c, claimedIds);
  }

  /** Cancels the due runs of a flow at its limit that this claim would otherwise have waited on. */
  private void cancelExcess(Connection c, Claim claim, String flowName, int limit)
      throws SQLException {
    List<String> excess = dueCandidates(c, claim, FLOW_NAMED, List.of(flowName), Integer.MAX_VALUE);
    if (excess.isEmpty()) {
      return;
    }
    String message =
        "flow '"
            + flowName
            + "' is at its concurrency limit of "
            + limit
            + " active run"
            + (limit == 1 ? "" : "s")
            + " (registered with --when-limited cancel)";
    for (String runId : excess) {
      if (update(
              c,
              "UPDATE flow_runs SET state = ?, updated_at = ?, ended_at = ?, message = ?"
                  + " WHERE id = ? AND state = ?",
              RunState.Cancelled,
              claim.now(),
              claim.now(),
              message,
              runId,
              RunState.Scheduled)
          == 1) {
        update(c, APPEND_HISTORY, runId);
      }
    }
  }

  /** Stored runs with these ids, oldest due first. */
  private static List<FlowRun> readRunsById(Connection c, List<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    return readRuns(
        c,
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " WHERE r.id IN ("
            + parameterMarks(ids.size())
            + ") ORDER BY r.scheduled_at, r.id",
        ids.toArray());
  }

  /**
   * PostgreSQL's plans and timings of the poll (the claim statement's selection of due runs) and of
   * the whole claim statement, for an agent with these labels claiming up to {@code max} runs, each
   * executed in a transaction that is rolled back: claims nothing.
   */
  PollMeasurement measureClaim(Set<String> agentLabels, int max) {
    if (db.dialect() != Dialect.POSTGRES) {
      throw new IllegalStateException(
          "the claim statement can only be measured on PostgreSQL; give --db jdbc:postgresql://...");
    }
    Instant now = db.now();
    Claim claim =
        new Claim("measurement", LabelCondition.of(agentLabels), now, now.plus(DEFAULT_LEASE));
    List<Object> pollParams = new ArrayList<>();
    pollParams.add(RunState.Scheduled);
    pollParams.add(claim.now());
    pollParams.addAll(claim.labels().params());
    pollParams.add(max);
    List<Object> claimParams = new ArrayList<>(pollParams);
    claimParams.addAll(
        List.of(
            RunState.Submitted,
            claim.agentId(),
            claim.now(),
            claim.leaseUntil(),
            RunState.Scheduled));
    String poll = pollStatement(claim.labels(), UNLIMITED_FLOW);
    String claimSql = claimStatement(claim.labels(), UNLIMITED_FLOW);
    return db.rolledBack(
        "measure the claim statement",
        c -> {
          Savepoint start = c.setSavepoint();
          List<String> pollPlan = explain(c, poll, pollParams);
          c.rollback(start);
          long started = System.nanoTime();
          int claimed =
              query(c, claimSql, row -> row.getString("run_id"), claimParams.toArray()).size();
          long roundTripNanos = System.nanoTime() - started;
          c.rollback(start);
          List<String> claimPlan = explain(c, claimSql, claimParams);
          return new PollMeasurement(claimed, roundTripNanos / 1_000_000.0, pollPlan, claimPlan);
        });
  }

  private static List<String> explain(Connection c, String sql, List<Object> params)
      throws SQLException {
    return query(c, "EXPLAIN (ANALYZE, BUFFERS) " + sql, row -> row.getString(1), params.toArray());
  }

  @Override
  public boolean transition(RunFence fence, RunState to, String message) {
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(to, "to");
    Instant now = db.now();
    StringBuilder sql = new StringBuilder("UPDATE flow_runs SET state = ?, updated_at = ?");
    List<Object> params = new ArrayList<>(List.of(to, now));
    sql.append(", message = ?");
    params.add(fit(message, MESSAGE_LENGTH));
    if (to == RunState.Running) {
      sql.append(", started_at = ?");
      params.add(now);
    }
    if (to.isTerminal()) {
      sql.append(", ended_at = ?");
      params.add(now);
    }
    Set<RunState> from = to.legalPredecessors();
    sql.append(" WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN (")
        .append(parameterMarks(from.size()))
        .append(")");
    params.add(fence.runId());
    params.add(fence.attempt());
    params.add(fence.agentId());
    params.addAll(from);
    return db.transaction(
        "move run " + fence.runId() + " (attempt " + fence.attempt() + ") to " + to,
        c -> {
          if (update(c, sql.toString(), params.toArray()) != 1) {
            return false;
          }
          update(c, APPEND_HISTORY, fence.runId());
          if (to == RunState.Scheduled) {
            db.signal(c, RunSignal.DUE);
          }
          return true;
        });
  }

  @Override
  public Optional<RunState> requestCancel(String runId, String message) {
    Instant now = db.now();
    return db.transaction(
        "request the cancellation of run " + runId,
        c -> {
          // The row lock keeps the state read here current until the update below.
          Optional<RunState> current =
              queryOne(
                  c,
                  "SELECT state FROM flow_runs WHERE id = ? FOR UPDATE",
                  row -> RunState.valueOf(row.getString("state")),
                  runId);
          if (current.isEmpty()) {
            return Optional.empty();
          }
          RunState next =
              switch (current.get()) {
                case Scheduled -> RunState.Cancelled;
                case Submitted, Running -> RunState.Cancelling;
                default -> current.get();
              };
          if (next == current.get()) {
            return current;
          }
          // A Scheduled run ends now; a Cancelling one ends when its agent has stopped it.
          update(
              c,
              "UPDATE flow_runs SET state = ?, updated_at = ?, message = ?, ended_at = ?"
                  + " WHERE id = ?",
              next,
              now,
              fit(message, MESSAGE_LENGTH),
              next.isTerminal() ? now : null,
              runId);
          update(c, APPEND_HISTORY, runId);
          if (next == RunState.Cancelling) {
            db.signal(c, RunSignal.CANCEL);
          }
          return Optional.of(next);
        });
  }

  @Override
  public List<FlowRun> runsOfAgent(String agentId, Collection<RunState> states) {
    if (states.isEmpty()) {
      return List.of();
    }
    List<Object> params = new ArrayList<>();
    params.add(agentId);
    params.addAll(EnumSet.copyOf(states));
    String sql =
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " WHERE r.agent_id = ? AND r.state IN ("
            + parameterMarks(params.size() - 1)
            + ") ORDER BY r.updated_at, r.id";
    return db.read("list the runs of agent " + agentId, c -> readRuns(c, sql, params.toArray()));
  }

  @Override
  public Set<String> renewLeases(String agentId, Collection<String> runIds, Duration lease) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(lease, "lease");
    if (runIds.isEmpty()) {
      return Set.of();
    }
    List<String> ids = List.copyOf(new LinkedHashSet<>(runIds));
    String renew =
        "UPDATE flow_runs SET lease_expires_at = ? WHERE agent_id = ? AND state IN ("
            + parameterMarks(ACTIVE.size())
            + ") AND id IN ("
            + parameterMarks(ids.size())
            + ")";
    // One statement that also names the rows it renewed.
    String sql =
        db.dialect() == Dialect.POSTGRES
            ? renew + " RETURNING id"
            : "SELECT id FROM FINAL TABLE (" + renew + ")";
    return db.transaction(
        "renew the leases of " + ids.size() + " runs of agent " + agentId,
        c -> {
          List<Object> params = new ArrayList<>();
          params.add(db.now().plus(lease)); // now that the connection is ours
          params.add(agentId);
          params.addAll(ACTIVE);
          params.addAll(ids);
          return Set.copyOf(query(c, sql, row -> row.getString("id"), params.toArray()));
        });
  }

  @Override
  public List<FlowRun> expiredLeases(String agentKind, Instant now) {
    List<Object> params = new ArrayList<>(ACTIVE);
    params.add(agentKind);
    params.add(now);
    String sql =
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " LEFT JOIN agents a ON a.id = r.agent_id"
            + " WHERE r.state IN ("
            + parameterMarks(ACTIVE.size())
            + ") AND (a.id IS NULL OR a.kind = ?)"
            + " AND (r.lease_expires_at IS NULL OR r.lease_expires_at < ?"
            + " OR a.stopped_at IS NOT NULL)"
            + " ORDER BY r.updated_at, r.id";
    return db.read(
        "list runs of " + agentKind + " agents whose lease expired",
        c -> readRuns(c, sql, params.toArray()));
  }

  @Override
  public Optional<RunFence> adopt(
      RunFence stale, String newAgentId, String message, Instant leaseUntil) {
    Objects.requireNonNull(newAgentId, "newAgentId");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    List<Object> params =
        new ArrayList<>(
            List.of(
                newAgentId,
                db.now(),
                fit(message, MESSAGE_LENGTH),
                leaseUntil,
                stale.runId(),
                stale.attempt(),
                stale.agentId()));
    params.addAll(ACTIVE);
    String sql =
        "UPDATE flow_runs SET agent_id = ?, updated_at = ?, message = ?, lease_expires_at = ?"
            + " WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN ("
            + parameterMarks(ACTIVE.size())
            + ")";
    return db.transaction(
        "hand run " + stale.runId() + " (attempt " + stale.attempt() + ") to agent " + newAgentId,
        c -> {
          if (update(c, sql, params.toArray()) != 1) {
            return Optional.empty();
          }
          update(c, APPEND_HISTORY, stale.runId());
          return Optional.of(new RunFence(stale.runId(), stale.attempt(), newAgentId));
        });
  }

  @Override
  public Optional<InfrastructureRetry> rescheduleAfterCrash(RunFence fence, String message) {
    Objects.requireNonNull(fence, "fence");
    Instant now = db.now();
    String crashMessage = fit(message, MESSAGE_LENGTH);
    List<Object> crashParams =
        new ArrayList<>(
            List.of(
                RunState.Crashed,
                now,
                now,
                crashMessage,
                fence.runId(),
                fence.attempt(),
                fence.agentId()));
    crashParams.addAll(RETRIABLE);
    return db.transaction(
        "schedule run " + fence.runId() + " (attempt " + fence.attempt() + ") again after a crash",
        c -> {
          // Crashed only while the budget lasts; the condition and the write are one statement.
          int crashed =
              update(
                  c,
                  "UPDATE flow_runs SET state = ?, updated_at = ?, ended_at = ?, message = ?,"
                      + " lease_expires_at = NULL"
                      + " WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN ("
                      + parameterMarks(RETRIABLE.size())
                      + ") AND infrastructure_retries_used <"
                      + " (SELECT f.infrastructure_retries FROM flows f"
                      + " WHERE f.id = flow_runs.flow_id)",
                  crashParams.toArray());
          if (crashed != 1) {
            return Optional.empty();
          }
          update(c, APPEND_HISTORY, fence.runId());
          InfrastructureRetry retry =
              queryOne(
                      c,
                      "SELECT r.infrastructure_retries_used + 1 AS retry,"
                          + " f.infrastructure_retries AS budget"
                          + " FROM flow_runs r JOIN flows f ON f.id = r.flow_id WHERE r.id = ?",
                      row -> new InfrastructureRetry(row.getInt("retry"), row.getInt("budget")),
                      fence.runId())
                  .orElseThrow();
          // No agent holds the run until its next claim, a new attempt: the crashed attempt's
          // agent is fenced out. It keeps its place in the queue (its due time is unchanged).
          update(
              c,
              "UPDATE flow_runs SET state = ?, agent_id = NULL, updated_at = ?, started_at = NULL,"
                  + " ended_at = NULL, message = ?,"
                  + " infrastructure_retries_used = infrastructure_retries_used + 1 WHERE id = ?",
              RunState.Scheduled,
              now,
              fit("scheduled again (" + retry.describe() + ") after: " + message, MESSAGE_LENGTH),
              fence.runId());
          update(c, APPEND_HISTORY, fence.runId());
          db.signal(c, RunSignal.DUE);
          return Optional.of(retry);
        });
  }

  @Override
  public Optional<Instant> latestLogAt(String runId) {
    return db.read(
            "read the newest log time of run " + runId,
            c ->
                queryOne(
                    c,
                    "SELECT MAX(logged_at) AS latest FROM run_logs WHERE run_id = ?",
                    row -> Optional.ofNullable(instant(row, "latest")),
                    runId))
        .flatMap(latest -> latest);
  }

  @Override
  public List<StateChange> history(String runId) {
    return db.read(
        "read the state history of run " + runId,
        c ->
            query(
                c,
                "SELECT run_id, state, attempt, agent_id, changed_at, message FROM run_states"
                    + " WHERE run_id = ? ORDER BY id",
                row ->
                    new StateChange(
                        row.getString("run_id"),
                        RunState.valueOf(row.getString("state")),
                        row.getInt("attempt"),
                        row.getString("agent_id"),
                        instant(row, "changed_at"),
                        row.getString("message")),
                runId));
  }

  @Override
  public boolean recordTaskState(RunFence fence, TaskStateUpdate update) {
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(update, "update");
    Instant at = update.at() == null ? db.now() : stored(update.at());
    String taskName = fit(update.taskName(), TASK_NAME_LENGTH);
    String message = fit(update.message(), MESSAGE_LENGTH);
    Instant startedAt = update.state() == TaskState.RUNNING ? at : null;
    Instant endedAt = update.state().isFinal() ? at : null;
    return db.transaction(
        "record task '"
            + taskName
            + "' of run "
            + fence.runId()
            + " (attempt "
            + fence.attempt()
            + ")",
        c -> {
          if (!holdsFence(c, fence)) {
            return false;
          }
          int updated =
              update(
                  c,
                  "UPDATE task_runs SET state = ?, task_attempt = ?, started_at ="
                      + " COALESCE(started_at, ?), ended_at = ?, updated_at = ?, message = ?"
                      + " WHERE run_id = ? AND attempt = ? AND task_name = ?",
                  update.state(),
                  update.taskAttempt(),
                  startedAt,
                  endedAt,
                  at,
                  message,
                  fence.runId(),
                  fence.attempt(),
                  taskName);
          if (updated == 0) {
            update(
                c,
                "INSERT INTO task_runs (run_id, attempt, task_name, report_seq, state,"
                    + " task_attempt, started_at, ended_at, updated_at, message) VALUES (?, ?, ?,"
                    + " (SELECT COALESCE(MAX(report_seq), 0) + 1 FROM task_runs"
                    + " WHERE run_id = ? AND attempt = ?), ?, ?, ?, ?, ?, ?)",
                fence.runId(),
                fence.attempt(),
                taskName,
                fence.runId(),
                fence.attempt(),
                update.state(),
                update.taskAttempt(),
                startedAt,
                endedAt,
                at,
                message);
          }
          return true;
        });
  }

  @Override
  public List<TaskRun> taskRuns(String runId) {
    return db.read(
        "read the task runs of run " + runId,
        c ->
            query(
                c,
                "SELECT t.run_id, t.task_name, t.state, t.task_attempt, t.started_at, t.ended_at,"
                    + " t.message FROM task_runs t"
                    + " JOIN flow_runs r ON r.id = t.run_id AND r.attempt = t.attempt"
                    + " WHERE t.run_id = ? ORDER BY t.report_seq",
                row ->
                    new TaskRun(
                        row.getString("run_id"),
                        row.getString("task_name"),
                        TaskState.valueOf(row.getString("state")),
                        row.getInt("task_attempt"),
                        instant(row, "started_at"),
                        instant(row, "ended_at"),
                        row.getString("message")),
                runId));
  }

  @Override
  public boolean appendLogs(RunFence fence, List<LogRecord> records) {
    Objects.requireNonNull(fence, "fence");
    Instant now = db.now();
    return db.transaction(
        "append logs of run " + fence.runId() + " (attempt " + fence.attempt() + ")",
        c -> {
          // Holding the run's row lock also serializes appends per run, so log ids become
          // visible in increasing order and a reader following with afterId misses none.
          if (!holdsFence(c, fence)) {
            return false;
          }
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO run_logs (run_id, attempt, logged_at, level, source, task_name,"
                      + " message) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (LogRecord record : records) {
              Database.bind(
                  insert,
                  fence.runId(),
                  fence.attempt(),
                  record.at() == null ? now : record.at(),
                  fit(record.level(), LOG_LEVEL_LENGTH),
                  fit(record.source(), LOG_SOURCE_LENGTH),
                  fit(record.taskName(), TASK_NAME_LENGTH),
                  Objects.requireNonNullElse(fit(record.message(), LOG_MESSAGE_LENGTH), ""));
              insert.addBatch();
            }
            if (!records.isEmpty()) {
              insert.executeBatch();
            }
          }
          return true;
        });
  }

  @Override
  public List<LogRecord> logs(String runId, long afterId, int limit) {
    return db.read(
        "read the logs of run " + runId,
        c ->
            query(
                c,
                "SELECT id, run_id, logged_at, level, source, task_name, message FROM run_logs"
                    + " WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
                row ->
                    new LogRecord(
                        row.getLong("id"),
                        row.getString("run_id"),
                        instant(row, "logged_at"),
                        row.getString("level"),
                        row.getString("source"),
                        row.getString("task_name"),
                        row.getString("message")),
                runId,
                afterId,
                limit));
  }

  /**
   * Locks the run's row and checks that the fence is its current attempt and agent. The lock holds
   * until the caller's transaction ends, so a concurrent claim of a new attempt cannot slip between
   * this check and the caller's write.
   */
  private static boolean holdsFence(Connection c, RunFence fence) throws SQLException {
    return queryOne(
            c,
            "SELECT id FROM flow_runs WHERE id = ? AND attempt = ? AND agent_id = ? FOR UPDATE",
            row -> true,
            fence.runId(),
            fence.attempt(),
            fence.agentId())
        .isPresent();
  }

  private static Optional<FlowRun> findRun(Connection c, String runId) throws SQLException {
    List<FlowRun> runs =
        readRuns(c, "SELECT " + RUN_COLUMNS + FROM_RUNS + " WHERE r.id = ?", runId);
    return runs.stream().findFirst();
  }

  /** Runs the query for run rows and attaches each run's labels, keeping the query's order. */
  private static List<FlowRun> readRuns(Connection c, String sql, Object... params)
      throws SQLException {
    List<RunRow> rows = query(c, sql, RunRow::read, params);
    Map<String, Set<String>> labels = labelsOf(c, rows);
    List<FlowRun> runs = new ArrayList<>(rows.size());
    for (RunRow row : rows) {
      runs.add(row.toFlowRun(labels.getOrDefault(row.id(), Set.of())));
    }
    return runs;
  }

  private static Map<String, Set<String>> labelsOf(Connection c, List<RunRow> rows)
      throws SQLException {
    Map<String, Set<String>> labels = new HashMap<>();
    for (int from = 0; from < rows.size(); from += LABEL_BATCH) {
      List<RunRow> batch = rows.subList(from, Math.min(rows.size(), from + LABEL_BATCH));
      Object[] ids = batch.stream().map(RunRow::id).toArray();
      try (PreparedStatement select =
          c.prepareStatement(
              "SELECT run_id, label FROM run_labels WHERE run_id IN ("
                  + parameterMarks(ids.length)
                  + ")")) {
        Database.bind(select, ids);
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            labels
                .computeIfAbsent(row.getString("run_id"), id -> new LinkedHashSet<>())
                .add(row.getString("label"));
          }
        }
      }
    }
    return labels;
  }

  /** A {@code flow_runs} row joined with its flow, before its labels are attached. */
  private record RunRow(
      String id,
      long flowId,
      String flowName,
      int flowVersion,
      RunState state,
      String parameters,
      int attempt,
      String agentId,
      Instant scheduledAt,
      Instant createdAt,
      Instant updatedAt,
      Instant startedAt,
      Instant endedAt,
      String message) {

    static RunRow read(ResultSet row) throws SQLException {
      return new RunRow(
          row.getString("id"),
          row.getLong("flow_id"),
          row.getString("flow_name"),
          row.getInt("flow_version"),
          RunState.valueOf(row.getString("state")),
          row.getString("parameters"),
          row.getInt("attempt"),
          row.getString("agent_id"),
          instant(row, "scheduled_at"),
          instant(row, "created_at"),
          instant(row, "updated_at"),
          instant(row, "started_at"),
          instant(row, "ended_at"),
          row.getString("message"));
    }

    FlowRun toFlowRun(Set<String> labels) {
      return new FlowRun(
          id,
          flowId,
          flowName,
          flowVersion,
          state,
          labels,
          JsonColumns.parameterValues(parameters, "run " + id),
          attempt,
          agentId,
          scheduledAt,
          createdAt,
          updatedAt,
          startedAt,
          endedAt,
          message);
    }
  }
}
