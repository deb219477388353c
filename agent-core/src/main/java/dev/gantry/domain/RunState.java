package dev.gantry.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a flow run, with the legal moves between states.
 *
 * <pre>
 * Scheduled -> Submitted -> Running -> Success | Failed | Crashed
 *     |            |           \-> Cancelling -> Cancelled (or the final state it reached first)
 *     \-> Cancelled \-> Scheduled again (infrastructure retry), Failed, Crashed, Cancelling
 * </pre>
 *
 * A run whose infrastructure failed (Submitted or Running, ending Crashed) while its flow version's
 * infrastructure-retry budget lasts records Crashed in its history and becomes Scheduled again in
 * the same step ({@code RunStore#rescheduleAfterCrash}); its next claim is a new attempt.
 */
public enum RunState {
  /** Waiting for an agent whose labels cover the run's. */
  Scheduled,
  /** Claimed by an agent; its infrastructure is being created. */
  Submitted,
  /** The bootstrap reported it started the flow. */
  Running,
  Success,
  /** The flow itself failed, or could not be loaded or launched (bad bundle, missing secret). */
  Failed,
  /** A cancel was requested and is being enforced. */
  Cancelling,
  Cancelled,
  /** The infrastructure failed outside flow code: killed process, OOM, vanished container. */
  Crashed;

  public boolean isTerminal() {
    return this == Success || this == Failed || this == Cancelled || this == Crashed;
  }

  /** Whether infrastructure exists (or may exist) for a run in this state. */
  public boolean isActive() {
    return this == Submitted || this == Running || this == Cancelling;
  }

  /** The states from which a run may move to this one. */
  public Set<RunState> legalPredecessors() {
    return switch (this) {
      case Scheduled -> EnumSet.of(Submitted);
      case Submitted -> EnumSet.of(Scheduled);
      case Running -> EnumSet.of(Submitted);
      case Success, Failed, Crashed -> EnumSet.of(Submitted, Running, Cancelling);
      case Cancelling -> EnumSet.of(Submitted, Running);
      case Cancelled -> EnumSet.of(Scheduled, Submitted, Running, Cancelling);
    };
  }

  public boolean canMoveTo(RunState next) {
    return next.legalPredecessors().contains(this);
  }

  /** Parses a state name, ignoring case. */
  public static RunState parse(String name) {
    for (RunState s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown run state '" + name + "'; one of " + EnumSet.allOf(RunState.class));
  }
}
