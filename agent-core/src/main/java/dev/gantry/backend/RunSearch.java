package dev.gantry.backend;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pages of runs, newest first, for people and tools: filtered, with a keyset cursor so the
 * thousandth page costs what the first does.
 */
public interface RunSearch {

  /**
   * Up to {@code limit} runs matching {@code filter} after {@code after} (null: from the start).
   */
  RunPage search(RunFilter filter, RunCursor after, int limit);

  /**
   * Up to {@code limit} runs changed (created, moved to another state, handed to another agent) at
   * or after {@code since}, oldest change first. A change is stamped with its writer's clock, so a
   * reader that follows changes looks back a little and drops what it has already seen.
   */
  List<FlowRun> changedSince(Instant since, int limit);

  /**
   * What to look for; every part may be null (or empty) for "any".
   *
   * @param label runs that have this label
   * @param agentId runs whose current attempt is this agent's
   * @param createdFrom runs created at or after
   * @param createdBefore runs created before
   */
  /**
   * How many runs are in each state a run waits or works in, and the late ones: Scheduled and due
   * before {@code lateBefore}. Reads only indexed rows of those states, never the finished ones.
   */
  ActiveRuns activeRuns(Instant lateBefore);

  /**
   * @param byState Scheduled, Submitted, Running and Cancelling, each present (0 when none)
   * @param oldestLateDue when the longest-waiting late run was due, or null when none is late
   */
  record ActiveRuns(Map<RunState, Long> byState, long late, Instant oldestLateDue) {
    public static final Set<RunState> STATES =
        Set.of(RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Cancelling);

    public ActiveRuns {
      byState = Map.copyOf(byState);
    }
  }

  record RunFilter(
      String flowName,
      Set<RunState> states,
      String label,
      String agentId,
      Instant createdFrom,
      Instant createdBefore) {
    public RunFilter {
      states = states == null ? Set.of() : Set.copyOf(states);
    }

    public static RunFilter any() {
      return new RunFilter(null, Set.of(), null, null, null, null);
    }
  }

  /** The position after a run in the newest-first order: its creation time and id. */
  record RunCursor(Instant createdAt, String runId) {
    public RunCursor {
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(runId, "runId");
    }

    public static RunCursor after(FlowRun run) {
      return new RunCursor(run.createdAt(), run.id());
    }
  }

  /** A page; {@code next} is null on the last. */
  record RunPage(List<FlowRun> runs, RunCursor next) {
    public RunPage {
      runs = List.copyOf(runs);
    }
  }
}
