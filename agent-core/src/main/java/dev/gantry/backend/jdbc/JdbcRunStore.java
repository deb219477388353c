package dev.gantry.backend.jdbc;

import static dev.gantry.backend.jdbc.Database.fit;
import static dev.gantry.backend.jdbc.Database.instant;
import static dev.gantry.backend.jdbc.Database.placeholders;
import static dev.gantry.backend.jdbc.Database.query;
import static dev.gantry.backend.jdbc.Database.queryOne;
import static dev.gantry.backend.jdbc.Database.stored;
import static dev.gantry.backend.jdbc.Database.update;

import dev.gantry.backend.RunStore;
import dev.gantry.flow.TaskState;
import dev.gantry.runs.FlowRun;
import dev.gantry.runs.LogRecord;
import dev.gantry.runs.NewRun;
import dev.gantry.runs.RunFence;
import dev.gantry.runs.RunState;
import dev.gantry.runs.StateChange;
import dev.gantry.runs.TaskRun;
import dev.gantry.runs.TaskStateUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
    String runId = UUID.randomUUID().toString();
    Instant now = db.now();
    return db.transaction(
        "create a run of flow " + run.flowId(),
        c -> {
          boolean flowExists =
              queryOne(c, "SELECT id FROM flows WHERE id = ?", row -> true, run.flowId())
                  .isPresent();
          if (!flowExists) {
            throw new IllegalArgumentException(
                "cannot create a run of flow " + run.flowId() + ": no flow has that id");
          }
          update(
              c,
              "INSERT INTO flow_runs (id, flow_id, state, attempt, agent_id, parameters,"
                  + " scheduled_at, created_at, updated_at) VALUES (?, ?, ?, 0, NULL, ?, ?, ?, ?)",
              runId,
              run.flowId(),
              RunState.Scheduled,
              JsonColumns.parameterValues(run.parameters()),
              run.scheduledAt(),
              now,
              now);
          try (PreparedStatement insert =
              c.prepareStatement("INSERT INTO run_labels (run_id, label) VALUES (?, ?)")) {
            for (String label : run.labels()) {
              Database.bind(insert, runId, label);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          update(c, APPEND_HISTORY, runId);
          return findRun(c, runId).orElseThrow();
        });
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
      conditions.add("r.state IN (" + placeholders(states.size()) + ")");
      params.addAll(states);
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    params.add(limit);
    return db.read("list runs", c -> readRuns(c, sql.toString(), params.toArray()));
  }

  /**
   * Polls, then claims each candidate with its own conditional UPDATE: the update applies only
   * while the run is still Scheduled, so of two agents racing for a run exactly one sees an update
   * count of 1 (the loser's UPDATE waits for the winner's row lock, then re-reads the row). Runs
   * lost to other agents are replaced by polling again, so an empty result means nothing due for
   * these labels is left.
   */
  @Override
  public List<FlowRun> claimDue(String agentId, Set<String> agentLabels, int max, Instant now) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(now, "now");
    List<FlowRun> claimed = new ArrayList<>();
    Set<String> tried = new HashSet<>();
    while (claimed.size() < max) {
      List<String> candidates =
          dueCandidates(agentId, agentLabels, max - claimed.size() + CLAIM_SLACK, now);
      candidates.removeIf(runId -> !tried.add(runId));
      if (candidates.isEmpty()) {
        break;
      }
      for (String runId : candidates) {
        if (claimed.size() == max) {
          break;
        }
        claim(runId, agentId, now).ifPresent(claimed::add);
      }
    }
    return claimed;
  }

  /**
   * Scheduled runs due at {@code now} that the label rule gives to an agent with these labels,
   * oldest due first: an agent without labels gets only runs without labels; an agent with labels
   * gets runs that have labels, none of them missing from the agent's.
   */
  private List<String> dueCandidates(
      String agentId, Set<String> agentLabels, int limit, Instant now) {
    List<Object> params = new ArrayList<>();
    params.add(RunState.Scheduled);
    params.add(now);
    String labelRule;
    if (agentLabels.isEmpty()) {
      labelRule = "NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)";
    } else {
      labelRule =
          "EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id)"
              + " AND NOT EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id"
              + " AND l.label NOT IN ("
              + placeholders(agentLabels.size())
              + "))";
      params.addAll(agentLabels);
    }
    params.add(limit);
    String sql =
        "SELECT r.id FROM flow_runs r WHERE r.state = ? AND r.scheduled_at <= ? AND "
            + labelRule
            + " ORDER BY r.scheduled_at, r.id LIMIT ?";
    return db.read(
        "poll due runs for agent " + agentId,
        c -> query(c, sql, row -> row.getString("id"), params.toArray()));
  }

  /**
   * Claims one polled run in its own short transaction, so a row lock is held only while its
   * history is appended. (On PostgreSQL, {@code FOR UPDATE SKIP LOCKED} could claim a whole batch
   * in one statement instead; it would replace {@link #dueCandidates} and this method together.)
   */
  private Optional<FlowRun> claim(String runId, String agentId, Instant now) {
    return db.transaction(
        "claim run " + runId + " for agent " + agentId,
        c -> {
          int claimed =
              update(
                  c,
                  "UPDATE flow_runs SET state = ?, attempt = attempt + 1, agent_id = ?,"
                      + " updated_at = ?, message = NULL"
                      + " WHERE id = ? AND state = ? AND scheduled_at <= ?",
                  RunState.Submitted,
                  agentId,
                  now,
                  runId,
                  RunState.Scheduled,
                  now);
          if (claimed != 1) {
            return Optional.empty();
          }
          update(c, APPEND_HISTORY, runId);
          return findRun(c, runId);
        });
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
        .append(placeholders(from.size()))
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
            + placeholders(params.size() - 1)
            + ") ORDER BY r.updated_at, r.id";
    return db.read("list the runs of agent " + agentId, c -> readRuns(c, sql, params.toArray()));
  }

  @Override
  public List<FlowRun> orphanedRuns(String agentKind, Instant heartbeatBefore) {
    List<Object> params = new ArrayList<>(ACTIVE);
    params.add(agentKind);
    params.add(heartbeatBefore);
    String sql =
        "SELECT "
            + RUN_COLUMNS
            + FROM_RUNS
            + " LEFT JOIN agents a ON a.id = r.agent_id"
            + " WHERE r.state IN ("
            + placeholders(ACTIVE.size())
            + ") AND (a.id IS NULL"
            + " OR (a.kind = ? AND (a.heartbeat_at < ? OR a.stopped_at IS NOT NULL)))"
            + " ORDER BY r.updated_at, r.id";
    return db.read(
        "list orphaned runs of " + agentKind + " agents", c -> readRuns(c, sql, params.toArray()));
  }

  @Override
  public Optional<RunFence> adopt(RunFence stale, String newAgentId, String message) {
    Objects.requireNonNull(newAgentId, "newAgentId");
    List<Object> params =
        new ArrayList<>(
            List.of(
                newAgentId,
                db.now(),
                fit(message, MESSAGE_LENGTH),
                stale.runId(),
                stale.attempt(),
                stale.agentId()));
    params.addAll(ACTIVE);
    String sql =
        "UPDATE flow_runs SET agent_id = ?, updated_at = ?, message = ?"
            + " WHERE id = ? AND attempt = ? AND agent_id = ? AND state IN ("
            + placeholders(ACTIVE.size())
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
                  + placeholders(ids.length)
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
