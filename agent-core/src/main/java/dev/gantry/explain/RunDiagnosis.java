package dev.gantry.explain;

import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Why a run is not running yet ({@code gantry run explain}): it is not waiting, not due, no live
 * agent's labels cover it (naming what the closest agents lack), or every agent that would take it
 * is at its limit.
 *
 * @param lines the explanation: a one-line verdict, then indented details
 */
public record RunDiagnosis(Verdict verdict, List<String> lines) {

  /** At most this many non-matching agents are named. */
  static final int CLOSEST_SHOWN = 3;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  public enum Verdict {
    /** The run is not Scheduled: claimed, running or ended. */
    NOT_WAITING,
    /** Scheduled for later. */
    NOT_DUE,
    /** No live agent's labels cover the run's. */
    NO_MATCHING_AGENT,
    /**
     * Live agents take its labels, but every one refuses what its flow asks for by its policy
     * ({@link PolicyFit}).
     */
    REFUSED_BY_POLICY,
    /** Live agents take it, but every one runs as many runs as it may. */
    AGENTS_AT_LIMIT,
    /** A live agent takes it and has a free slot: it should be claimed at its next poll. */
    CLAIMABLE
  }

  public RunDiagnosis {
    lines = List.copyOf(lines);
  }

  /**
   * Diagnoses a run against the known agents.
   *
   * @param staleAfter an agent whose last heartbeat is older than this counts as not live
   */
  public static RunDiagnosis of(
      FlowRun run, List<AgentInfo> agents, Instant now, Duration staleAfter) {
    List<String> lines = new ArrayList<>();
    String labels = labels(run);
    if (run.state() != RunState.Scheduled) {
      lines.add(
          "Run "
              + run.id()
              + " is "
              + run.state()
              + (run.agentId() != null
                  ? " (attempt " + run.attempt() + ", agent " + run.agentId() + ")"
                  : "")
              + ": it is not waiting for an agent.");
      if (run.message() != null) {
        lines.add("  " + run.message());
      }
      return new RunDiagnosis(Verdict.NOT_WAITING, lines);
    }
    if (run.scheduledAt().isAfter(now)) {
      lines.add(
          "Run "
              + run.id()
              + " is scheduled for "
              + TIME.format(run.scheduledAt())
              + ", in "
              + human(Duration.between(now, run.scheduledAt()))
              + ": not due yet. Then an agent that takes its "
              + labels
              + " claims it.");
      return new RunDiagnosis(Verdict.NOT_DUE, lines);
    }
    List<LabelFit> fits = LabelFit.rank(run.labels(), agents);
    List<LabelFit> live = fits.stream().filter(f -> isLive(f, now, staleAfter)).toList();
    List<LabelFit> taking = live.stream().filter(LabelFit::takes).toList();
    if (taking.isEmpty()) {
      lines.add(
          "Run "
              + run.id()
              + " is due but no live agent takes it: it has "
              + labels
              + (run.labels().isEmpty() ? ", so only an agent without labels takes it." : "."));
      if (live.isEmpty()) {
        lines.add(
            "  No agent is live (none has heartbeated in the last "
                + human(staleAfter)
                + " without stopping).");
      } else {
        lines.add("  Closest live agents:");
        live.stream().limit(CLOSEST_SHOWN).forEach(f -> lines.add("    - " + f.describe()));
      }
      List<LabelFit> notLive =
          fits.stream().filter(f -> f.takes() && !isLive(f, now, staleAfter)).toList();
      if (!notLive.isEmpty()) {
        lines.add("  Agents that would take it but are not live:");
        notLive.stream()
            .limit(CLOSEST_SHOWN)
            .forEach(f -> lines.add("    - " + f.agent().name() + ": " + lastSeen(f.agent(), now)));
      }
      lines.add("  Start an agent that takes it: " + startCommand(run));
      return new RunDiagnosis(Verdict.NO_MATCHING_AGENT, lines);
    }
    List<LabelFit> free =
        taking.stream().filter(f -> f.agent().running() < f.agent().maxConcurrent()).toList();
    if (free.isEmpty()) {
      lines.add(
          "Run "
              + run.id()
              + " is due and "
              + taking.size()
              + (taking.size() == 1 ? " live agent takes" : " live agents take")
              + " its "
              + labels
              + ", but every one is at its limit:");
      taking.forEach(
          f ->
              lines.add(
                  "    - "
                      + f.agent().name()
                      + " running "
                      + f.agent().running()
                      + "/"
                      + f.agent().maxConcurrent()));
      lines.add(
          "  It starts when one of them finishes a run; raise --max-concurrent or start another"
              + " agent: "
              + startCommand(run));
      return new RunDiagnosis(Verdict.AGENTS_AT_LIMIT, lines);
    }
    AgentInfo agent = free.get(0).agent();
    lines.add(
        "Run "
            + run.id()
            + " is due and agent "
            + agent.name()
            + " takes its "
            + labels
            + " with a free slot ("
            + agent.running()
            + "/"
            + agent.maxConcurrent()
            + " running): it should be claimed at that agent's next poll.");
    return new RunDiagnosis(Verdict.CLAIMABLE, lines);
  }

  /** "gantry agent start local -l a -l b". */
  static String startCommand(FlowRun run) {
    StringBuilder out = new StringBuilder("gantry agent start local");
    new TreeSet<>(run.labels()).forEach(l -> out.append(" -l ").append(l));
    return out.toString();
  }

  private static boolean isLive(LabelFit fit, Instant now, Duration staleAfter) {
    return LabelFit.isLive(fit.agent(), now, staleAfter);
  }

  private static String labels(FlowRun run) {
    return run.labels().isEmpty()
        ? "no labels"
        : "labels " + String.join(", ", new TreeSet<>(run.labels()));
  }

  private static String lastSeen(AgentInfo agent, Instant now) {
    if (agent.stoppedAt() != null) {
      return "stopped at " + TIME.format(agent.stoppedAt());
    }
    return "last heartbeat "
        + TIME.format(agent.heartbeatAt())
        + " ("
        + human(Duration.between(agent.heartbeatAt(), now))
        + " ago)";
  }

  static String human(Duration d) {
    long seconds = Math.max(0, d.toSeconds());
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m " + seconds % 60 + "s";
    }
    if (seconds < 86_400) {
      return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
    }
    return seconds / 86_400 + "d " + seconds % 86_400 / 3600 + "h";
  }
}
