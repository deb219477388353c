package dev.gantry.backend.jdbc;

import dev.gantry.backend.RunStore;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.InfrastructureRetry;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.domain.TaskStateUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link RunStore} on {@code flow_runs} and its satellite tables, by concern: {@link RunCreation},
 * {@link RunLookup}, {@link DueRunClaims} (per database, with concurrency limits), {@link
 * RunTransitions}, {@link RunLeases}, {@link TaskRunRecords} and {@link RunLogs}; {@link RunRows}
 * maps rows to runs. State changes are conditional UPDATEs (the condition is the legal predecessor
 * states and, for agents, the fence), and fenced writes to other tables first lock the run's row;
 * both work the same on H2 and PostgreSQL.
 */
final class JdbcRunStore implements RunStore {

  private final RunCreation creation;
  private final RunLookup lookup;
  private final DueRunClaims claims;
  private final RunTransitions transitions;
  private final RunLeases leases;
  private final TaskRunRecords tasks;
  private final RunLogs logs;
  private final JdbcBundleStore bundles;

  JdbcRunStore(Database db) {
    this.creation = new RunCreation(db);
    this.lookup = new RunLookup(db);
    this.claims = new DueRunClaims(db);
    this.transitions = new RunTransitions(db);
    this.leases = new RunLeases(db);
    this.tasks = new TaskRunRecords(db);
    this.logs = new RunLogs(db);
    this.bundles = new JdbcBundleStore(db);
  }

  @Override
  public FlowRun create(NewRun run) {
    return creation.create(run);
  }

  @Override
  public Optional<FlowRun> createForScheduleFire(NewRun run) {
    return creation.createForScheduleFire(run);
  }

  @Override
  public Optional<FlowRun> find(String runId) {
    return lookup.find(runId);
  }

  @Override
  public Optional<FlowRun> findByIdOrPrefix(String idOrPrefix) {
    return lookup.findByIdOrPrefix(idOrPrefix);
  }

  @Override
  public List<FlowRun> list(String flowName, Set<RunState> states, int limit) {
    return lookup.list(flowName, states, limit);
  }

  @Override
  public List<FlowRun> claimDue(
      String agentId, Set<String> agentLabels, int max, Instant now, Duration lease) {
    return claims.claimDue(agentId, agentLabels, max, now, lease);
  }

  @Override
  public boolean transition(RunFence fence, RunState to, String message, Instant at) {
    return transitions.transition(fence, to, message, at);
  }

  @Override
  public Optional<RunState> requestCancel(String runId, String message) {
    return transitions.requestCancel(runId, message);
  }

  @Override
  public List<FlowRun> runsOfAgent(String agentId, Collection<RunState> states) {
    return leases.runsOfAgent(agentId, states);
  }

  @Override
  public Set<String> renewLeases(String agentId, Collection<String> runIds, Duration lease) {
    return leases.renewLeases(agentId, runIds, lease);
  }

  @Override
  public List<FlowRun> expiredLeases(String agentKind, Instant now) {
    return leases.expiredLeases(agentKind, now);
  }

  @Override
  public Optional<RunFence> adopt(
      RunFence stale, String newAgentId, String message, Instant leaseUntil) {
    return leases.adopt(stale, newAgentId, message, leaseUntil);
  }

  @Override
  public Optional<InfrastructureRetry> rescheduleAfterCrash(
      RunFence fence, String message, Instant at) {
    return transitions.rescheduleAfterCrash(fence, message, at);
  }

  @Override
  public Optional<Instant> latestLogAt(String runId) {
    return logs.latestLogAt(runId);
  }

  @Override
  public List<StateChange> history(String runId) {
    return lookup.history(runId);
  }

  @Override
  public boolean recordTaskState(RunFence fence, TaskStateUpdate update) {
    return tasks.recordTaskState(fence, update);
  }

  @Override
  public List<TaskRun> taskRuns(String runId) {
    return tasks.taskRuns(runId);
  }

  @Override
  public boolean appendLogs(RunFence fence, List<LogRecord> records) {
    return logs.appendLogs(fence, records);
  }

  @Override
  public List<LogRecord> logs(String runId, long afterId, int limit) {
    return logs.logs(runId, afterId, limit);
  }

  @Override
  public boolean recordRunBundle(RunFence fence, String digest, String build) {
    return bundles.recordRunBundle(fence, digest, build);
  }
}
